-- The plugin installed by Neovim 0.12's own package manager, as clients/nvim/README.md says:
-- vim.pack.add from the git URL RUNLENS_E2E_REPO_URL (a repository with this one's layout), its
-- `load` function adding the clients/nvim folder; then setup(), RUNLENS_E2E_FILE opened and the
-- diagnostics collected. Writes to RUNLENS_E2E_OUT: `editor`, `installedAs` (the plugin's
-- lua/runlens/init.lua that loaded, relative to stdpath('data')), `root` (the server's),
-- `diagnostics` and `errors`. Only collects; editors.test.ts holds the expectations.
-- `confirm = false` is the one departure from the README: nobody is there to confirm.

local report = { editor = vim.NIL, installedAs = vim.NIL, root = vim.NIL, diagnostics = {}, errors = {} }
local SEVERITY = { 'error', 'warning', 'info', 'hint' }

local function env(name)
  local value = os.getenv(name)
  assert(value and value ~= '', name .. ' is not set (see test/e2e/README.md)')
  return value
end

local function main()
  local v = vim.version()
  report.editor = ('neovim %d.%d.%d, vim.pack'):format(v.major, v.minor, v.patch)
  vim.pack.add({ { src = env('RUNLENS_E2E_REPO_URL'), name = 'runlens' } }, {
    confirm = false,
    load = function(plugin) vim.opt.runtimepath:append(plugin.path .. '/clients/nvim') end,
  })
  require('runlens').setup({ cmd = vim.fn.json_decode(env('RUNLENS_E2E_SERVER')) })
  local data = vim.fn.stdpath('data') .. '/'
  local loaded = vim.api.nvim_get_runtime_file('lua/runlens/init.lua', false)[1]
  report.installedAs = loaded and (loaded:sub(1, #data) == data and loaded:sub(#data + 1) or loaded) or vim.NIL

  vim.cmd('edit ' .. vim.fn.fnameescape(env('RUNLENS_E2E_FILE')))
  vim.cmd('filetype on')
  vim.cmd('filetype detect')
  local bufnr = vim.api.nvim_get_current_buf()
  if not vim.wait(60000, function() return #vim.diagnostic.get(bufnr) > 0 end, 20) then error('no diagnostics within 60 s') end
  local status = vim.lsp.buf_request_sync(bufnr, 'runlens/status', nil, 10000)
  for _, answer in pairs(status or {}) do
    if answer.result then report.root = answer.result.root end
  end
  for _, d in ipairs(vim.diagnostic.get(bufnr)) do
    -- The file is ASCII: byte columns are UTF-16 characters.
    report.diagnostics[#report.diagnostics + 1] = {
      line = d.lnum, character = d.col, endLine = d.end_lnum, endCharacter = d.end_col,
      severity = SEVERITY[d.severity], message = d.message, code = d.code, source = d.source,
    }
  end
end

local ok, err = xpcall(main, debug.traceback)
if not ok then report.errors[#report.errors + 1] = tostring(err) end
local f = assert(io.open(env('RUNLENS_E2E_OUT'), 'w'))
f:write(vim.fn.json_encode(report), '\n')
f:close()
for _, client in ipairs(vim.lsp.get_clients()) do client:stop() end
vim.wait(2000, function() return #vim.lsp.get_clients() == 0 end, 20)
vim.cmd(ok and 'qall!' or 'cquit! 1')
