-- Checks what e2e.lua does not: the plugin's own parts in headless Neovim, against the real server
-- in the e2e workspace: settings sent three ways, the user commands and their output window, the
-- recordings learnt from runlens/indexChanged and the lenses refreshed when one is added, which
-- files attach, the workspace root_markers find, and no deprecation warnings. Same environment as e2e.lua (test/e2e/README.md);
-- run it with `bash test/e2e/nvim/run.sh [NVIM] plugin.lua`. Prints one line per check and
-- `N passed, N failed`; exit status 1 when one failed.

local uv = vim.uv or vim.loop
local has = function(version) return vim.fn.has('nvim-' .. version) == 1 end
local passed, failed = 0, 0
local t0 = uv.hrtime()

local function check(name, ok, detail)
  if ok then passed = passed + 1 else failed = failed + 1 end
  io.stdout:write(('%s %5d ms %s%s\n'):format(ok and 'ok  ' or 'FAIL', math.floor((uv.hrtime() - t0) / 1e6), name, (not ok and detail ~= nil) and (': ' .. vim.inspect(detail)) or ''))
end

local function wait(ms, predicate) return vim.wait(ms, predicate, 20) and true or false end

local function output()
  local buf = require('runlens')._output_buf
  if not (buf and vim.api.nvim_buf_is_valid(buf)) then return '' end
  return table.concat(vim.api.nvim_buf_get_lines(buf, 0, -1, false), '\n')
end

--- Runs an Ex command and waits for the output window to show text matching `pattern`.
local function command_shows(cmd, pattern)
  local buf = require('runlens')._output_buf
  if buf and vim.api.nvim_buf_is_valid(buf) then
    vim.bo[buf].modifiable = true
    vim.api.nvim_buf_set_lines(buf, 0, -1, false, {})
  end
  vim.cmd(cmd)
  local ok = wait(15000, function() return output():find(pattern) ~= nil end)
  local text = output()
  -- Back to the source window, as `q` in the output window does.
  if vim.bo.buftype == 'nofile' then vim.cmd('close') end
  return ok, text
end

local function runlens_clients()
  local clients = vim.lsp.get_clients and vim.lsp.get_clients({ name = 'runlens' }) or vim.lsp.get_active_clients()
  return vim.tbl_filter(function(c) return c.name == 'runlens' end, clients)
end

local function lens_titles(bufnr)
  local titles = {}
  local items = vim.lsp.codelens.enable and vim.lsp.codelens.get({ bufnr = bufnr }) or vim.lsp.codelens.get(bufnr)
  for _, item in ipairs(items) do titles[#titles + 1] = (item.lens or item).command.title end
  table.sort(titles)
  return titles
end

local function main()
  local root = os.getenv('RUNLENS_E2E_ROOT')
  local file = os.getenv('RUNLENS_E2E_FILE')
  vim.opt.runtimepath:prepend(os.getenv('RUNLENS_E2E_CLIENT'))
  local log = require('vim.lsp.log')
  log.set_level('debug')
  -- A marker value, to follow the settings on their three ways to the server.
  require('runlens').setup({ cmd = vim.fn.json_decode(os.getenv('RUNLENS_E2E_SERVER')), settings = { runlens = { slowQueryMs = 251 } } })
  vim.cmd('filetype on')
  vim.cmd('filetype detect')
  local bufnr = vim.api.nvim_get_current_buf()

  check('a client attaches and diagnostics arrive', wait(60000, function() return #vim.diagnostic.get(bufnr) > 0 end))
  local client = runlens_clients()[1]
  if not client then return end
  check('lenses arrive', wait(30000, function() return #lens_titles(bufnr) == 2 end), lens_titles(bufnr))

  local rec = 'tmp/appmap/minitest/users_profile_anonymous.appmap.json'
  check('the recordings come from runlens/indexChanged', vim.deep_equal(require('runlens').recordings(client.id), { rec }), require('runlens').recordings(client.id))

  vim.api.nvim_win_set_cursor(0, { 13, 4 }) -- def show
  local ok, text = command_shows('RunlensDetails', '^%*%*UsersController#show%*%*')
  check(':RunlensDetails shows the details of the lens in the output window', ok, text)
  ok, text = command_shows('RunlensQueries', 'UsersController#show ran 1 SQL')
  check(':RunlensQueries shows the queries of the function', ok, text)
  ok, text = command_shows('RunlensCallTree', '^Calls of GET /users/{id} recorded in ' .. vim.pesc(rec))
  check(':RunlensCallTree shows the route on the cursor line in the only recording', ok, text:sub(1, 200))
  ok, text = command_shows('RunlensStatus', '1 recording, 1 finding')
  check(':RunlensStatus shows the status', ok, text)
  -- The server writes the file and says so in one line (Neovim's own showMessage handler shows it).
  local baseline_file = root .. '/.runlens/baseline.json'
  vim.cmd('RunlensSaveBaseline')
  ok = wait(15000, function() return vim.fn.filereadable(baseline_file) == 1 end)
  local saved = ok and vim.fn.json_decode(table.concat(vim.fn.readfile(baseline_file), '\n')) or {}
  check(':RunlensSaveBaseline saves the baseline of the recording', saved.format == 'runlens-baseline' and saved.recordings == 1, saved)
  check('the output window is closed again', vim.api.nvim_get_current_buf() == bufnr)

  -- A second recording of the same test: the lens counts two requests once the index changed.
  local copy = 'tmp/appmap/minitest/copy.appmap.json'
  uv.fs_copyfile(root .. '/' .. rec, root .. '/' .. copy)
  check('an added recording refreshes the lenses', wait(30000, function() return table.concat(lens_titles(bufnr), '\n'):find('2 requests', 1, true) ~= nil end), lens_titles(bufnr))
  check('and is among the recordings', vim.deep_equal(require('runlens').recordings(client.id), { copy, rec }), require('runlens').recordings(client.id))
  os.remove(root .. '/' .. copy)
  check('a removed one leaves them', wait(30000, function() return #require('runlens').recordings(client.id) == 1 end), require('runlens').recordings(client.id))

  -- JSON: recordings attach (to the same client), other JSON files do not.
  local other = root .. '/tmp/other.json'
  local f = assert(io.open(other, 'w'))
  f:write('{}\n')
  f:close()
  vim.cmd('edit ' .. vim.fn.fnameescape(other))
  local other_buf = vim.api.nvim_get_current_buf()
  vim.cmd('edit ' .. vim.fn.fnameescape(root .. '/' .. rec))
  local rec_buf = vim.api.nvim_get_current_buf()
  check('a recording attaches to the same client', wait(15000, function() return vim.lsp.buf_is_attached(rec_buf, client.id) end))
  check('other JSON does not', vim.bo[other_buf].filetype == 'json' and not vim.lsp.buf_is_attached(other_buf, client.id) and #runlens_clients() == 1)
  vim.cmd('buffer ' .. bufnr)
  os.remove(other)

  -- The workspace of a file (root_markers, in groups as vim.lsp.config reads them), on folders
  -- made beside the workspace: where recordings are made beats a nearer manifest, a manifest
  -- beats the git root, and outside all markers there is no server.
  local base = vim.fn.fnamemodify(root, ':h') .. '/roots'
  local function touch(rel)
    vim.fn.mkdir(vim.fn.fnamemodify(base .. '/' .. rel, ':h'), 'p')
    local file = assert(io.open(base .. '/' .. rel, 'w'))
    file:close()
    return base .. '/' .. rel
  end
  local root_dir = require('runlens').config.root_dir
  touch('mono/appmap.yml')
  vim.fn.mkdir(base .. '/mono/.git', 'p')
  check('in a monorepo, appmap.yml at the top beats a nested package.json', root_dir(touch('mono/packages/web/package.json') and touch('mono/packages/web/src/app.js')) == base .. '/mono')
  touch('recorded/tmp/appmap/minitest/a.appmap.json')
  check('so does tmp/appmap', root_dir(touch('recorded/client/package.json') and touch('recorded/client/src/app.js')) == base .. '/recorded')
  check('and .runlens', root_dir(touch('saved/.runlens/baseline.json') and touch('saved/api/pyproject.toml') and touch('saved/api/app/views.py')) == base .. '/saved')
  vim.fn.mkdir(base .. '/plain/.git', 'p')
  check('without them, the nearest manifest', root_dir(touch('plain/services/api/Gemfile') and touch('plain/services/api/app/models/user.rb')) == base .. '/plain/services/api')
  check('without a manifest, the git root', root_dir(touch('plain/scripts/tool.py')) == base .. '/plain')
  check('with no marker, no workspace', root_dir(touch('loose/tool.py')) == nil)
  if has('0.11') then
    -- As vim.lsp.enable calls it, with the markers of the resolved vim.lsp.config('runlens').
    local scratch = vim.api.nvim_create_buf(false, true)
    vim.api.nvim_buf_set_name(scratch, base .. '/mono/packages/web/src/app.js')
    local found
    root_dir(scratch, function(dir) found = dir end)
    vim.api.nvim_buf_delete(scratch, { force = true })
    check('vim.lsp.enable gets the same workspace', found == base .. '/mono', found)
  end
  vim.fn.delete(base, 'rf')

  -- The settings went as initializationOptions, as the workspace/configuration answer and as
  -- workspace/didChangeConfiguration (once). The log is written as messages go: read it once it
  -- holds the settings three times (a bounded wait, generous for a busy machine).
  local function read_log()
    local lines = {}
    for line in io.lines(log.get_filename()) do lines[#lines + 1] = line end
    return table.concat(lines, '\n')
  end
  wait(60000, function() return select(2, read_log():gsub('slowQueryMs', '')) >= 3 end)
  local text_log = read_log()
  local function count(pattern)
    local n = 0
    for _ in text_log:gmatch(pattern) do n = n + 1 end
    return n
  end
  check('initializationOptions carry the settings', text_log:find('initializationOptions = {%s*slowQueryMs = 251') ~= nil or text_log:find('"initializationOptions":{"slowQueryMs":251') ~= nil)
  check('workspace/didChangeConfiguration is sent once', count('workspace/didChangeConfiguration') >= 1 and count('method = "workspace/didChangeConfiguration"') <= 1 and count('"method":"workspace/didChangeConfiguration"') <= 1)
  check('the settings occur three times in the log', count('slowQueryMs') >= 3, count('slowQueryMs'))

  local messages = vim.api.nvim_exec('messages', true)
  check('no deprecation warnings', not messages:lower():find('deprecat'), messages)
end

local ok, err = xpcall(main, debug.traceback)
check('no script error', ok, err)
io.stdout:write(('%d passed, %d failed\n'):format(passed, failed))
for _, client in ipairs(runlens_clients()) do
  if has('0.11') then client:stop() else client.stop() end
end
vim.wait(2000, function() return #runlens_clients() == 0 end, 20)
vim.cmd(failed == 0 and 'qall!' or 'cquit! 1')
