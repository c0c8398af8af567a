-- runlens for Neovim: starts `runlens --stdio` for the languages AppMap records (and for the
-- recordings themselves), keeps its code lenses fresh, and maps the server's commands to user
-- commands whose text is shown in a scratch window. Works on Neovim 0.7 and newer: 0.11+ through
-- vim.lsp.config/vim.lsp.enable, 0.8–0.10 through vim.lsp.start, 0.7 through vim.lsp.start_client.

local M = {}

local uv = vim.uv or vim.loop
local has = function(version) return vim.fn.has('nvim-' .. version) == 1 end

--- Recordings (workspace-relative) each client has told us about, as a set: client id → path → true.
local recordings_of = {}

-- Helpers ---------------------------------------------------------------------------------------
-- (Public functions come after the config table; these are small and used by it.)

--- Whether runlens wants this file: every file of a listed filetype, but of JSON only recordings.
local function wanted(fname)
  if fname == '' then return false end
  if fname:match('%.json$') then return fname:match('%.appmap%.json$') ~= nil end
  return true
end

--- The workspace of `fname` by `markers`, read as Neovim 0.12's vim.fs.root and vim.lsp.config's
--- root_markers read them: each item in turn is looked for in the file's folder and every folder
--- above it, nearest first, and the first folder found wins; a nested list is one item whose
--- markers have equal priority. A marker is a file or folder name, or a relative path (tmp/appmap).
local function find_root(fname, markers)
  local start = vim.fn.fnamemodify(fname, ':p:h')
  for _, item in ipairs(markers) do
    local group = type(item) == 'table' and item or { item }
    local dir = start
    while dir and dir ~= '' do
      for _, marker in ipairs(group) do
        if uv.fs_stat(dir .. '/' .. marker) then return dir end
      end
      local parent = vim.fn.fnamemodify(dir, ':h')
      if parent == dir then break end
      dir = parent
    end
  end
  return nil
end

--- Calls a client method with the calling convention of this Neovim (`client:x()` from 0.11 on).
local function call(client, method, ...)
  if has('0.11') then return client[method](client, ...) end
  return client[method](...)
end

local function root_of(client)
  return client.root_dir or client.config.root_dir or (client.workspace_folders and client.workspace_folders[1] and vim.uri_to_fname(client.workspace_folders[1].uri))
end

local function runlens_client(bufnr)
  local clients = vim.lsp.get_clients and vim.lsp.get_clients({ bufnr = bufnr, name = 'runlens' }) or vim.lsp.buf_get_clients(bufnr)
  for _, client in pairs(clients) do
    if client.name == 'runlens' then return client end
  end
  return nil
end

local function notify(message, level)
  vim.notify('runlens: ' .. message, level or vim.log.levels.INFO)
end

-- The configuration -----------------------------------------------------------------------------

--- The client configuration, in the shape nvim-lspconfig and vim.lsp.config use. setup() merges the
--- user's options into it; lsp/runlens.lua returns it for Neovim 0.11's `vim.lsp.enable('runlens')`.
M.config = {
  name = 'runlens',
  cmd = { 'runlens', '--stdio' },
  -- JSON is there for the recordings (`*.appmap.json`): the server reports broken ones on them.
  -- Other JSON files are skipped by root_dir.
  filetypes = { 'python', 'ruby', 'java', 'javascript', 'javascriptreact', 'typescript', 'typescriptreact', 'json' },
  -- The workspace, since recorded paths are relative to it: the nearest folder where recordings
  -- are made (the AppMap agent's appmap.yml or tmp/appmap, runlens's .runlens); else the nearest
  -- with a project manifest; else the git root. Groups in order, as vim.lsp.config reads them: in
  -- a monorepo with appmap.yml at the top, a nested package.json does not win.
  root_markers = {
    { 'appmap.yml', '.runlens', 'tmp/appmap' },
    { 'package.json', 'pyproject.toml', 'setup.py', 'setup.cfg', 'manage.py', 'Gemfile', 'pom.xml', 'build.gradle', 'build.gradle.kts' },
    '.git',
  },
  --- The workspace of a file; nil (no server) outside a project or for JSON that is not a recording.
  --- Called as nvim-lspconfig's `root_dir(fname)` or as Neovim 0.11's `root_dir(bufnr, on_dir)`.
  root_dir = function(fname_or_bufnr, on_dir)
    if type(on_dir) == 'function' then
      local fname = vim.api.nvim_buf_get_name(fname_or_bufnr)
      local resolved = vim.lsp.config and vim.lsp.config.runlens
      local root = wanted(fname) and find_root(fname, (resolved and resolved.root_markers) or M.config.root_markers)
      if root then on_dir(root) end
      return
    end
    return wanted(fname_or_bufnr) and find_root(fname_or_bufnr, M.config.root_markers) or nil
  end,
  -- Settings keys are those of the README's configuration table, e.g. { rules = { ['slow-call'] = 'off' } }.
  -- They are sent as initializationOptions, answered for workspace/configuration (section
  -- `runlens`) and pushed with workspace/didChangeConfiguration after initialize.
  settings = { runlens = {} },
  -- Empty means "the same as settings.runlens" (filled in by before_init).
  init_options = vim.empty_dict(),
  before_init = function(params, config)
    if params.initializationOptions == nil or vim.tbl_isempty(params.initializationOptions) then
      params.initializationOptions = (config.settings or {}).runlens
    end
  end,
  on_init = function(client)
    -- Neovim 0.8 and later push the settings themselves once initialized; 0.7 does not.
    if not has('0.8') and next(client.config.settings or {}) then
      call(client, 'notify', 'workspace/didChangeConfiguration', { settings = client.config.settings })
    end
  end,
  on_attach = function(client, bufnr) M.on_attach(client, bufnr) end,
  handlers = {
    ['runlens/indexChanged'] = function(...) return M.on_index_changed(...) end,
    ['window/showMessage'] = function(...) return M.on_show_message(...) end,
  },
}

--- Options of the plugin itself (not sent to the server).
M.options = {
  --- Where command results go: 'split' (a scratch window), 'notify' (vim.notify), or a function(lines).
  show = 'split',
  --- Called after runlens' own on_attach, with the same arguments.
  on_attach = nil,
}

-- Setup -----------------------------------------------------------------------------------------

--- Merges `opts` (the keys of M.config, plus `show` and `on_attach` of M.options) and starts the
--- server for buffers of the configured filetypes, those open already included.
function M.setup(opts)
  opts = opts or {}
  for key, value in pairs(opts) do
    if M.options[key] ~= nil or key == 'on_attach' or key == 'show' then
      M.options[key] = value
    elseif type(value) == 'table' and type(M.config[key]) == 'table' and next(value) ~= nil and not (vim.islist or vim.tbl_islist)(value) then
      M.config[key] = vim.tbl_deep_extend('force', M.config[key], value)
    else
      M.config[key] = value
    end
  end

  if has('0.11') then
    vim.lsp.config('runlens', M.config)
    vim.lsp.enable('runlens')
    -- vim.lsp.enable starts clients for open buffers only once Neovim has entered (or inside a
    -- FileType event); setup() from a `-c` command or a plugin loaded early does it here.
    if vim.v.vim_did_enter == 0 and vim.fn.did_filetype() == 0 then
      for _, bufnr in ipairs(vim.api.nvim_list_bufs()) do
        if vim.api.nvim_buf_is_loaded(bufnr) and vim.tbl_contains(M.config.filetypes, vim.bo[bufnr].filetype) then
          pcall(vim.api.nvim_exec_autocmds, 'FileType', { group = 'nvim.lsp.enable', buffer = bufnr })
        end
      end
    end
    return
  end

  local group = vim.api.nvim_create_augroup('runlens', { clear = true })
  vim.api.nvim_create_autocmd('FileType', {
    group = group,
    pattern = M.config.filetypes,
    callback = function(args) M.start(args.buf) end,
  })
  for _, bufnr in ipairs(vim.api.nvim_list_bufs()) do
    if vim.api.nvim_buf_is_loaded(bufnr) and vim.tbl_contains(M.config.filetypes, vim.bo[bufnr].filetype) then M.start(bufnr) end
  end
end

--- Starts (or reuses, one per workspace) the server for a buffer, on Neovim 0.7–0.10.
function M.start(bufnr)
  if vim.bo[bufnr].buftype ~= '' then return end
  local fname = vim.api.nvim_buf_get_name(bufnr)
  local root = M.config.root_dir(fname)
  if not root then return end
  local cmd = M.config.cmd
  if type(cmd) == 'table' and vim.fn.executable(cmd[1]) == 0 then
    if not M._warned_cmd then
      M._warned_cmd = true
      notify(('cannot start the server: %s is not executable; set `cmd` in setup()'):format(cmd[1]), vim.log.levels.WARN)
    end
    return
  end
  local config = vim.tbl_extend('force', M.config, { root_dir = root, workspace_folders = { { uri = vim.uri_from_fname(root), name = root } } })
  if has('0.8') then
    vim.api.nvim_buf_call(bufnr, function() vim.lsp.start(config, { bufnr = bufnr }) end)
    return
  end
  -- 0.7: one client per workspace, reused by every buffer in it. 0.7 answers
  -- workspace/configuration from `settings` but does not say so: it is added to the capabilities.
  config.capabilities = vim.tbl_deep_extend('force', vim.lsp.protocol.make_client_capabilities(), { workspace = { configuration = true } }, config.capabilities or {})
  for _, client in pairs(vim.lsp.get_active_clients()) do
    if client.name == 'runlens' and client.config.root_dir == root and not client.is_stopped() then
      vim.lsp.buf_attach_client(bufnr, client.id)
      return
    end
  end
  local id = vim.lsp.start_client(config)
  if id then vim.lsp.buf_attach_client(bufnr, id) end
end

-- Code lenses -----------------------------------------------------------------------------------

--- Asks the server for the lenses of a buffer again. On 0.12+, where Neovim keeps them fresh
--- itself, it only makes sure they are enabled, unless `opts.force` (then they are fetched anew).
function M.refresh(bufnr, opts)
  bufnr = (bufnr == nil or bufnr == 0) and vim.api.nvim_get_current_buf() or bufnr
  if not vim.api.nvim_buf_is_loaded(bufnr) then return end
  local codelens = vim.lsp.codelens
  if codelens.enable then
    if opts and opts.force then codelens.enable(false, { bufnr = bufnr }) end
    codelens.enable(true, { bufnr = bufnr })
  elseif has('0.10') then
    codelens.refresh({ bufnr = bufnr })
  elseif bufnr == vim.api.nvim_get_current_buf() then
    codelens.refresh()
  end
  -- Before 0.10 only the current buffer can be refreshed; the others are on BufEnter.
end

--- The lenses runlens gave for the cursor line, in the server's order.
local function lenses_on_cursor_line(bufnr)
  local line = vim.api.nvim_win_get_cursor(0)[1] - 1
  local client = runlens_client(bufnr)
  local found = {}
  local all = vim.lsp.codelens.enable and vim.lsp.codelens.get({ bufnr = bufnr, client_id = client and client.id }) or vim.lsp.codelens.get(bufnr)
  for _, item in ipairs(all) do
    local lens = item.lens or item
    if lens.range.start.line == line and lens.command then found[#found + 1] = lens end
  end
  return found
end

-- Attaching -------------------------------------------------------------------------------------

--- Runs when the client attaches to a buffer: lenses now and as the buffer changes, and the
--- buffer-local user commands. Call it from your own on_attach if you replace runlens'.
function M.on_attach(client, bufnr)
  M.refresh(bufnr)
  if not vim.lsp.codelens.enable then
    local group = vim.api.nvim_create_augroup('runlens.lenses.' .. bufnr, { clear = true })
    vim.api.nvim_create_autocmd({ 'BufEnter', 'InsertLeave', 'BufWritePost', 'CursorHold' }, {
      group = group,
      buffer = bufnr,
      callback = function() M.refresh(bufnr) end,
    })
  end

  local command = function(name, fn, opts)
    vim.api.nvim_buf_create_user_command(bufnr, name, fn, vim.tbl_extend('force', { force = true }, opts or {}))
  end
  command('RunlensDetails', function() M.show_details(bufnr) end, { desc = 'runlens: details of the function on this line' })
  command('RunlensQueries', function() M.show_queries(bufnr) end, { desc = 'runlens: SQL the function on this line ran' })
  command('RunlensCallTree', function(args) M.show_call_tree(bufnr, args.args) end, {
    nargs = '?',
    complete = function(lead) return vim.tbl_filter(function(r) return r:find(lead, 1, true) == 1 end, M.recordings(client.id)) end,
    desc = 'runlens: recorded call tree of a recording',
  })
  command('RunlensStatus', function() M.show_status(bufnr) end, { desc = 'runlens: what the server knows' })
  command('RunlensSaveBaseline', function() M.save_baseline(bufnr) end, { desc = 'runlens: save the recordings as the baseline lenses compare with' })
  command('RunlensRefresh', function() M.refresh(bufnr, { force = true }) end, { desc = 'runlens: ask for the lenses again' })

  if M.options.on_attach then M.options.on_attach(client, bufnr) end
end

-- Server messages -------------------------------------------------------------------------------

--- `runlens/indexChanged`: remembers the recordings and asks for the lenses of the client's buffers
--- again (Neovim 0.12+ does that itself on the server's workspace/codeLens/refresh).
function M.on_index_changed(_, result, ctx)
  local client = vim.lsp.get_client_by_id(ctx.client_id)
  if not client then return end
  local root = root_of(client)
  local known = recordings_of[client.id] or {}
  recordings_of[client.id] = known
  for _, rel in ipairs(result and result.recordings or {}) do
    -- The notification does not say added or removed: the disk does.
    known[rel] = (root and uv.fs_stat(root .. '/' .. rel)) and true or nil
  end
  if vim.lsp.codelens.enable then return end
  for bufnr in pairs(client.attached_buffers or {}) do M.refresh(bufnr) end
end

--- window/showMessage: the server sends every command's text this way. Several lines go to the
--- output window; anything else to Neovim's own handler.
function M.on_show_message(err, result, ctx, config)
  if result and result.type and result.type >= 3 and type(result.message) == 'string' and result.message:find('\n', 1, true) then
    vim.schedule(function() M.show(result.message) end)
    return vim.NIL
  end
  return vim.lsp.handlers['window/showMessage'](err, result, ctx, config)
end

-- Commands --------------------------------------------------------------------------------------

--- The recordings the server indexed for a client (workspace-relative), sorted.
function M.recordings(client_id)
  local list = vim.tbl_keys(recordings_of[client_id] or {})
  table.sort(list)
  return list
end

--- Runs a server command; its text arrives as window/showMessage (shown by on_show_message).
--- `on_null` is called when the server has nothing to say.
local function execute(bufnr, command, arguments, on_null)
  local client = runlens_client(bufnr)
  if not client then return notify('no runlens server for this buffer', vim.log.levels.WARN) end
  call(client, 'request', 'workspace/executeCommand', { command = command, arguments = arguments }, function(err, result)
    if err then
      notify(command .. ': ' .. (err.message or vim.inspect(err)), vim.log.levels.ERROR)
    elseif result == nil or result == vim.NIL then
      on_null()
    end
  end, bufnr)
end

--- The lens of the cursor line that runs `command`, if any.
local function lens_running(bufnr, command)
  for _, lens in ipairs(lenses_on_cursor_line(bufnr)) do
    if lens.command.command == command then return lens.command end
  end
end

--- :RunlensDetails: the details of the recorded function of the cursor line (what its own lens
--- runs; a route's handler also has the route's lens, which opens the call tree instead).
function M.show_details(bufnr)
  local command = lens_running(bufnr, 'runlens.showDetails')
  if not command then return notify('no recorded function on this line') end
  execute(bufnr, command.command, command.arguments, function() notify('nothing recorded for this line') end)
end

--- :RunlensQueries: the SQL the function of the cursor line ran, most frequent first.
function M.show_queries(bufnr)
  local command = lens_running(bufnr, 'runlens.showDetails')
  local fn_key = command and command.arguments and command.arguments[1] and command.arguments[1].fnKey
  if not fn_key then return notify('no recorded function on this line') end
  execute(bufnr, 'runlens.showQueries', { { fnKey = fn_key } }, function() notify(fn_key .. ' was not recorded') end)
end

--- :RunlensSaveBaseline: the current recordings become the baseline (.runlens/baseline.json) that
--- lenses and hovers compare with from then on.
function M.save_baseline(bufnr)
  execute(bufnr, 'runlens.saveBaseline', {}, function()
    notify('no baseline saved (no recordings yet, or .runlens cannot be written: see :LspLog)', vim.log.levels.WARN)
  end)
end

--- :RunlensCallTree [recording]: the call tree of a recording, only the requests of the route on
--- the cursor line where there is one. Without a recording, pick one.
function M.show_call_tree(bufnr, recording)
  local client = runlens_client(bufnr)
  if not client then return notify('no runlens server for this buffer', vim.log.levels.WARN) end
  -- On a route's handler without a recording given: what the route's lens runs (its slowest request).
  local route_lens = lens_running(bufnr, 'runlens.showCallTree')
  if route_lens and (not recording or recording == '') then
    return execute(bufnr, route_lens.command, route_lens.arguments, function() notify('cannot read the recording') end)
  end
  local route = route_lens and route_lens.arguments and route_lens.arguments[1] and route_lens.arguments[1].route
  local function run(rec)
    execute(bufnr, 'runlens.showCallTree', { { recording = rec, route = route } }, function()
      if not route then return notify('cannot read ' .. rec) end
      -- The recording has no request of that route: show all of it.
      execute(bufnr, 'runlens.showCallTree', { { recording = rec } }, function() notify('cannot read ' .. rec) end)
    end)
  end
  if recording and recording ~= '' then return run(recording) end
  local list = M.recordings(client.id)
  if #list == 0 then return notify('no recordings indexed yet') end
  if #list == 1 then return run(list[1]) end
  vim.ui.select(list, { prompt = 'Recording: ' }, function(choice)
    if choice then run(choice) end
  end)
end

--- :RunlensStatus: the `runlens/status` of the buffer's server.
function M.show_status(bufnr)
  local client = runlens_client(bufnr)
  if not client then return notify('no runlens server for this buffer', vim.log.levels.WARN) end
  call(client, 'request', 'runlens/status', nil, function(err, s)
    if err or type(s) ~= 'table' then return notify('no status: ' .. vim.inspect(err or s), vim.log.levels.ERROR) end
    local lines = {
      ('runlens %s'):format(s.root),
      ('%d recording%s%s, %d finding%s'):format(s.recordings, s.recordings == 1 and '' or 's', s.indexing and ' (indexing)' or '', s.findings, s.findings == 1 and '' or 's'),
      '',
      'requests: count, p50, p99, errors',
    }
    local methods = vim.tbl_keys(s.timings or {})
    table.sort(methods)
    for _, method in ipairs(methods) do
      local t = s.timings[method]
      lines[#lines + 1] = ('  %-32s %6d  %7.2f ms  %7.2f ms  %d'):format(method, t.count, t.p50Ms, t.p99Ms, t.errors)
    end
    M.show(table.concat(lines, '\n'))
  end, bufnr)
end

-- Output ----------------------------------------------------------------------------------------

--- Shows a command's text: one line with vim.notify, more in a scratch window at the bottom
--- (`q` closes it), reused by the next command; see M.options.show.
function M.show(text)
  local lines = vim.split(text, '\n', { plain = true })
  local how = M.options.show
  if type(how) == 'function' then return how(lines) end
  if how == 'notify' or #lines == 1 then return vim.notify(text, vim.log.levels.INFO) end

  local buf = M._output_buf
  if not (buf and vim.api.nvim_buf_is_valid(buf)) then
    buf = vim.api.nvim_create_buf(false, true)
    M._output_buf = buf
    vim.bo[buf].bufhidden = 'hide'
    vim.bo[buf].swapfile = false
    pcall(vim.api.nvim_buf_set_name, buf, 'runlens://output')
    vim.api.nvim_buf_set_keymap(buf, 'n', 'q', '<cmd>close<CR>', { noremap = true, nowait = true, silent = true })
  end
  vim.bo[buf].modifiable = true
  vim.api.nvim_buf_set_lines(buf, 0, -1, false, lines)
  vim.bo[buf].modifiable = false

  local win = vim.fn.bufwinid(buf)
  if win == -1 then
    vim.cmd('botright split')
    win = vim.api.nvim_get_current_win()
    vim.api.nvim_win_set_buf(win, buf)
  else
    vim.api.nvim_set_current_win(win)
  end
  vim.api.nvim_win_set_height(win, math.max(3, math.min(#lines, 20)))
  vim.wo[win].wrap = false
  vim.wo[win].number = false
  vim.api.nvim_win_set_cursor(win, { 1, 0 })
end

return M
