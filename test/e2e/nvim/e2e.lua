-- The Neovim end-to-end script of test/e2e/README.md: it starts runlens through the real plugin
-- (clients/nvim, require('runlens').setup), follows the README's steps and writes what Neovim ended
-- up holding as JSON. It only collects; editors.test.ts holds the expectations. Works on Neovim 0.7
-- (Debian bookworm) and newer (0.10 and 0.12 tried, see install-neovim.sh).
--
--   RUNLENS_E2E_... (see the README) timeout 180 nvim --headless -u NONE -i NONE -n \
--     -c 'luafile /abs/path/test/e2e/nvim/e2e.lua' "$RUNLENS_E2E_FILE"
--
-- The working folder does not matter (every path comes from the environment as an absolute path;
-- editors.test.ts runs it in the project folder, or for the bookshop at the top of this repository):
-- the plugin finds the project from the file (root_markers); `root` is the server's. `bash test/e2e/nvim/run.sh` runs it by hand.
-- Positions in the JSON are LSP's: 0-based lines, UTF-16 characters (Neovim keeps byte columns).
-- Exit status 0, or 1 with the problem in `errors` (the JSON is written either way).

local uv = vim.uv or vim.loop
local has = function(version) return vim.fn.has('nvim-' .. version) == 1 end
local t0 = uv.hrtime()
local function elapsed_ms() return math.floor((uv.hrtime() - t0) / 1e6) end

local version = vim.version()
local report = {
  editor = ('neovim %d.%d.%d'):format(version.major, version.minor, version.patch),
  root = vim.NIL,
  diagnostics = {},
  lenses = {},
  renderedLenses = {},
  hover = vim.NIL,
  codeActions = {},
  fixedText = vim.NIL,
  after = vim.NIL,
  errors = {},
}

local function env(name)
  local value = os.getenv(name)
  assert(value and value ~= '', name .. ' is not set (see test/e2e/README.md)')
  return value
end

--- Waits (running the event loop) until `predicate` holds; false after `ms`.
local function wait(ms, predicate)
  return vim.wait(ms, predicate, 20) and true or false
end

local SEVERITY = { 'error', 'warning', 'info', 'hint' }

local function line_text(bufnr, lnum)
  return vim.api.nvim_buf_get_lines(bufnr, lnum, lnum + 1, false)[1] or ''
end

--- A byte column of a buffer line as a UTF-16 character offset.
local function utf16(bufnr, lnum, col)
  local text = line_text(bufnr, lnum)
  col = math.min(col, #text)
  if has('0.11') then return vim.str_utfindex(text, 'utf-16', col, false) end
  local _, units = vim.str_utfindex(text, col)
  return units
end

local function runlens_client(bufnr)
  local clients = vim.lsp.get_clients and vim.lsp.get_clients({ bufnr = bufnr }) or vim.lsp.buf_get_clients(bufnr)
  for _, client in pairs(clients) do
    if client.name == 'runlens' then return client end
  end
  return nil
end

--- vim.diagnostic's view of the buffer, in LSP positions, sorted by line then character.
local function collect_diagnostics(bufnr)
  local out = {}
  for _, d in ipairs(vim.diagnostic.get(bufnr)) do
    out[#out + 1] = {
      line = d.lnum,
      character = utf16(bufnr, d.lnum, d.col),
      endLine = d.end_lnum or d.lnum,
      endCharacter = utf16(bufnr, d.end_lnum or d.lnum, d.end_col or d.col),
      severity = SEVERITY[d.severity] or tostring(d.severity),
      message = d.message,
      code = d.code == nil and vim.NIL or d.code,
      source = d.source == nil and vim.NIL or d.source,
    }
  end
  table.sort(out, function(a, b)
    if a.line ~= b.line then return a.line < b.line end
    if a.character ~= b.character then return a.character < b.character end
    return a.message < b.message
  end)
  return out
end

--- The lenses Neovim holds for the client (0.12 returns { client_id, lens } items), by line and
--- character, in the server's order within one position.
local function collect_lenses(bufnr, client)
  local items = vim.lsp.codelens.enable and vim.lsp.codelens.get({ bufnr = bufnr, client_id = client.id }) or vim.lsp.codelens.get(bufnr)
  local lenses = {}
  for i, item in ipairs(items) do
    local lens = item.lens or item
    lenses[#lenses + 1] = { i = i, line = lens.range.start.line, character = lens.range.start.character, title = lens.command and lens.command.title or vim.NIL }
  end
  table.sort(lenses, function(a, b)
    if a.line ~= b.line then return a.line < b.line end
    if a.character ~= b.character then return a.character < b.character end
    return a.i < b.i
  end)
  local out = {}
  for _, l in ipairs(lenses) do out[#out + 1] = { line = l.line, title = l.title } end
  return out
end

--- The text Neovim draws for the lenses: the client's code-lens extmarks, end-of-line virtual text
--- before 0.12, a virtual line above the function from 0.12 on (its indentation left out).
local function collect_rendered(bufnr, client)
  local out = {}
  for name, ns in pairs(vim.api.nvim_get_namespaces()) do
    if name:match('codelens:(%d+)$') == tostring(client.id) then
      for _, mark in ipairs(vim.api.nvim_buf_get_extmarks(bufnr, ns, 0, -1, { details = true })) do
        local details = mark[4] or {}
        local rows = details.virt_lines or { details.virt_text }
        for _, chunks in ipairs(rows) do
          local text = {}
          for _, chunk in ipairs(chunks or {}) do text[#text + 1] = chunk[1] end
          local joined = table.concat(text):gsub('^%s+', '')
          if joined ~= '' then out[#out + 1] = { line = mark[2], text = joined } end
        end
      end
    end
  end
  table.sort(out, function(a, b) return a.line < b.line end)
  return out
end

--- Forces a redraw so that decoration providers (0.12's code lenses) draw in headless mode.
local function redraw()
  if vim.api.nvim__redraw then
    pcall(vim.api.nvim__redraw, { flush = true, valid = false })
  else
    vim.cmd('redraw!')
  end
end

local function hover_text(contents)
  if type(contents) == 'string' then return contents end
  if type(contents) ~= 'table' then return vim.NIL end
  if contents.value then return contents.value end
  local parts = {}
  for _, item in ipairs(contents) do parts[#parts + 1] = type(item) == 'string' and item or item.value end
  return table.concat(parts, '\n\n')
end

--- The LSP form of a diagnostic, as vim.lsp.buf.code_action sends it in the context.
local function lsp_diagnostic(bufnr, d, client)
  if d.user_data and d.user_data.lsp and d.user_data.lsp.range then return d.user_data.lsp end -- 0.10+
  for _, candidate in ipairs(vim.lsp.diagnostic.get_line_diagnostics(bufnr, d.lnum, {}, client.id)) do -- 0.7–0.9
    if candidate.message == d.message then return candidate end
  end
  error('no LSP diagnostic for ' .. d.message)
end

local function buffer_text(bufnr)
  local text = table.concat(vim.api.nvim_buf_get_lines(bufnr, 0, -1, false), '\n')
  if vim.bo[bufnr].endofline or vim.bo[bufnr].fixendofline then text = text .. '\n' end
  return text
end

local function lens_line(lenses)
  return lenses[1] and lenses[1].line
end

local function main()
  local file = env('RUNLENS_E2E_FILE')
  local server = vim.fn.json_decode(env('RUNLENS_E2E_SERVER'))
  local hover_line, hover_character = env('RUNLENS_E2E_HOVER'):match('^(%d+):(%d+)$')
  assert(hover_line, 'RUNLENS_E2E_HOVER must be LINE:CHARACTER')
  vim.opt.runtimepath:prepend(env('RUNLENS_E2E_CLIENT'))

  require('runlens').setup({ cmd = server })

  -- The file nvim opened (with -u NONE no filetype was detected yet): detecting it now fires
  -- FileType, which starts the server through the plugin, as opening a file does.
  if vim.fn.fnamemodify(vim.api.nvim_buf_get_name(0), ':p') ~= vim.fn.fnamemodify(file, ':p') then vim.cmd('edit ' .. vim.fn.fnameescape(file)) end
  local bufnr = vim.api.nvim_get_current_buf()
  vim.cmd('filetype on')
  vim.cmd('filetype detect')

  -- 1. Diagnostics published for the file (at most 60 s, starting the server included).
  local client
  if not wait(60000, function()
    client = runlens_client(bufnr)
    return client ~= nil and #vim.diagnostic.get(bufnr) > 0
  end) then
    error(client and 'no diagnostics within 60 s' or 'the plugin attached no runlens client within 60 s (filetype ' .. vim.bo[bufnr].filetype .. ')')
  end
  -- The folder the plugin started the server in (root_markers), as the server says.
  local status = vim.lsp.buf_request_sync(bufnr, 'runlens/status', nil, 10000)
  report.root = status and status[client.id] and status[client.id].result and status[client.id].result.root or vim.NIL

  -- 2. What the client holds: diagnostics, and the lenses the plugin asked for (on attach and on
  -- runlens/indexChanged) as held and as drawn.
  wait(30000, function()
    redraw()
    return #collect_lenses(bufnr, client) > 0 and #collect_rendered(bufnr, client) > 0
  end)
  report.diagnostics = collect_diagnostics(bufnr)
  report.lenses = collect_lenses(bufnr, client)
  report.renderedLenses = collect_rendered(bufnr, client)

  -- 3. Hover.
  local uri = vim.uri_from_bufnr(bufnr)
  local hover = vim.lsp.buf_request_sync(bufnr, 'textDocument/hover', {
    textDocument = { uri = uri },
    position = { line = tonumber(hover_line), character = tonumber(hover_character) },
  }, 10000)
  local h = hover and hover[client.id] and hover[client.id].result
  report.hover = h and hover_text(h.contents) or vim.NIL

  -- 4. Code actions at the first diagnostic, with it in the context; the first one applied.
  local first = vim.diagnostic.get(bufnr)
  table.sort(first, function(a, b) return a.lnum < b.lnum or (a.lnum == b.lnum and a.col < b.col) end)
  local diagnostic = lsp_diagnostic(bufnr, first[1], client)
  local response = vim.lsp.buf_request_sync(bufnr, 'textDocument/codeAction', {
    textDocument = { uri = uri },
    range = diagnostic.range,
    context = { diagnostics = { diagnostic } },
  }, 10000)
  local actions = response and response[client.id] and response[client.id].result or {}
  for _, action in ipairs(actions) do report.codeActions[#report.codeActions + 1] = action.title end
  local action = actions[1]
  assert(action, 'no code action offered')
  if action.edit then vim.lsp.util.apply_workspace_edit(action.edit, client.offset_encoding or 'utf-16') end
  local command = type(action.command) == 'table' and action.command or (type(action.command) == 'string' and action) or nil
  if command then vim.lsp.buf_request_sync(bufnr, 'workspace/executeCommand', { command = command.command, arguments = command.arguments }, 10000) end
  report.fixedText = buffer_text(bufnr)

  -- 5. Two lines inserted at the top: the client sends didChange, the plugin refreshes the lenses,
  -- and diagnostics and lenses move down with their code.
  local inserted = { env('RUNLENS_E2E_INSERT'), env('RUNLENS_E2E_INSERT') }
  local diagnostic_line = first[1].lnum
  local lenses_line = lens_line(report.lenses)
  vim.api.nvim_buf_set_lines(bufnr, 0, 0, false, inserted)
  local moved = wait(30000, function()
    local d = collect_diagnostics(bufnr)[1]
    return d ~= nil and d.line == diagnostic_line + #inserted
  end)
  require('runlens').refresh(bufnr)
  wait(30000, function()
    redraw()
    local lenses = collect_lenses(bufnr, client)
    local rendered = collect_rendered(bufnr, client)
    return lenses_line ~= nil and lens_line(lenses) == lenses_line + #inserted and rendered[1] ~= nil and rendered[1].line == lenses_line + #inserted
  end)
  report.after = {
    diagnostics = collect_diagnostics(bufnr),
    lenses = collect_lenses(bufnr, client),
    renderedLenses = collect_rendered(bufnr, client),
  }
  if not moved then error('the diagnostics did not move in time after the insertion') end
  -- 6. Nothing is saved: quitting with qall! leaves the file as it was.
end

local function finish(ok)
  local out = os.getenv('RUNLENS_E2E_OUT')
  local written, err = pcall(function()
    local f = assert(io.open(assert(out and out ~= '' and out, 'RUNLENS_E2E_OUT is not set'), 'w'))
    f:write(vim.fn.json_encode(report), '\n')
    f:close()
  end)
  if not written then io.stderr:write('e2e.lua: cannot write the report: ' .. tostring(err) .. '\n') end
  io.stdout:write(('%s: %d diagnostics, %d lenses, %d code actions, %d errors, %d ms -> %s\n'):format(
    report.editor, #report.diagnostics, #report.lenses, #report.codeActions, #report.errors, elapsed_ms(), tostring(out)))
  for _, e in ipairs(report.errors) do io.stderr:write(e, '\n') end
  -- Stop the server politely (shutdown, exit), then leave without saving anything.
  local clients = vim.lsp.get_clients and vim.lsp.get_clients() or vim.lsp.get_active_clients()
  for _, client in pairs(clients) do
    if has('0.11') then client:stop() else client.stop() end
  end
  wait(2000, function()
    return #(vim.lsp.get_clients and vim.lsp.get_clients() or vim.lsp.get_active_clients()) == 0
  end)
  vim.cmd((ok and written) and 'qall!' or 'cquit! 1')
end

local ok, err = xpcall(main, debug.traceback)
if not ok then report.errors[#report.errors + 1] = tostring(err) end
local finished, finish_err = pcall(finish, ok)
if not finished then
  io.stderr:write('e2e.lua: ' .. tostring(finish_err) .. '\n')
  vim.cmd('cquit! 1')
end
