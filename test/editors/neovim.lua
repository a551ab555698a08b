-- Drives Neovim (0.7+) against the einsight language server, headless, as the README's
-- "Other editors" configurations set it up (vim.lsp.start_client, or nvim-lspconfig), with
-- settings in the one { einsight = { ... } } shape. Opens the file given on the command line, waits for
-- diagnostics, asks for a hover, applies the preferred quick fix and writes the file, then
-- writes what it saw as JSON to $EINSIGHT_NVIM_RESULT and quits.
--
--   EINSIGHT_SERVER='node /path/to/einsight/server/out/cli/main.js lsp --stdio' \
--   EINSIGHT_NVIM_RESULT=result.json nvim --headless --clean -u test/editors/neovim.lua model.py

local result = { diagnostics = {}, hover = nil, action = nil, written = false, errors = {} }

local function finish()
  local file = io.open(os.getenv('EINSIGHT_NVIM_RESULT'), 'w')
  file:write(vim.fn.json_encode(result))
  file:close()
  vim.cmd('qa!')
end

local function fail(message)
  table.insert(result.errors, message)
  finish()
end

-- The configurations of the README, word for word but for the server command: the built-in
-- client (Nvim 0.7+), or nvim-lspconfig when $EINSIGHT_LSPCONFIG names a checkout of it.
local cmd = vim.split(os.getenv('EINSIGHT_SERVER'), ' ', { trimempty = true })
local lspconfig_dir = os.getenv('EINSIGHT_LSPCONFIG')

if lspconfig_dir and lspconfig_dir ~= '' then
  vim.opt.runtimepath:prepend(lspconfig_dir)
  vim.cmd('runtime plugin/lspconfig.lua')
  local lspconfig = require('lspconfig')
  local configs = require('lspconfig.configs')
  if not configs.einsight then
    configs.einsight = {
      default_config = {
        cmd = cmd,
        filetypes = { 'python', 'typescript', 'typescriptreact', 'javascript', 'javascriptreact' },
        root_dir = lspconfig.util.root_pattern('pyproject.toml', 'setup.py', 'package.json', '.git'),
        single_file_support = true,
      },
    }
  end
  local settings = { einsight = { minSpeedup = 2 } }
  lspconfig.einsight.setup({ settings = settings, init_options = settings })
else
  local settings = { einsight = { minSpeedup = 2, codeLens = 'findings' } }
  local einsight_client = nil
  vim.api.nvim_create_autocmd('FileType', {
    pattern = { 'python', 'typescript', 'typescriptreact', 'javascript', 'javascriptreact' },
    callback = function(args)
      einsight_client = einsight_client or vim.lsp.start_client({
        name = 'einsight',
        cmd = cmd,
        root_dir = vim.fn.getcwd(),
        init_options = settings,
        settings = settings,
      })
      vim.lsp.buf_attach_client(args.buf, einsight_client)
    end,
  })
end

vim.schedule(function()
  local bufnr = vim.api.nvim_get_current_buf()
  -- --clean starts without filetype detection: turn it on and let the buffer's FileType fire.
  vim.cmd('filetype on')
  vim.cmd('doautocmd FileType')
  if not vim.wait(10000, function() return next(vim.lsp.buf_get_clients(bufnr)) ~= nil end, 50) then
    return fail('no client attached to the buffer')
  end
  local _, attached = next(vim.lsp.buf_get_clients(bufnr))
  local client_id = attached.id
  local client = vim.lsp.get_client_by_id(client_id)

  if not vim.wait(30000, function() return #vim.diagnostic.get(bufnr) > 0 end, 50) then
    return fail('no diagnostics within 30 s')
  end
  for _, d in ipairs(vim.diagnostic.get(bufnr)) do
    table.insert(result.diagnostics, { code = d.code, message = d.message, lnum = d.lnum, col = d.col, source = d.source })
  end

  local first = vim.diagnostic.get(bufnr)[1]
  local position = { line = first.lnum, character = first.col + 6 }
  local hover = vim.lsp.buf_request_sync(bufnr, 'textDocument/hover', {
    textDocument = vim.lsp.util.make_text_document_params(bufnr),
    position = position,
  }, 10000)
  local answer = hover and hover[client_id] and hover[client_id].result
  result.hover = answer and answer.contents and answer.contents.value or vim.NIL

  local lsp_diagnostics = vim.lsp.diagnostic.get_line_diagnostics(bufnr, first.lnum)
  local actions = vim.lsp.buf_request_sync(bufnr, 'textDocument/codeAction', {
    textDocument = vim.lsp.util.make_text_document_params(bufnr),
    range = { start = { line = first.lnum, character = first.col }, ['end'] = { line = first.end_lnum, character = first.end_col } },
    context = { diagnostics = lsp_diagnostics, only = { 'quickfix' } },
  }, 10000)
  local list = actions and actions[client_id] and actions[client_id].result or {}
  local preferred = nil
  for _, action in ipairs(list) do
    if action.isPreferred then preferred = action end
  end
  if not preferred then return fail('no preferred code action among ' .. #list) end
  result.action = preferred.title
  vim.lsp.util.apply_workspace_edit(preferred.edit, client.offset_encoding)
  vim.cmd('silent write')
  result.written = true

  -- The fix removes the finding: the server says so once it has the edit.
  local fixed = vim.wait(30000, function()
    for _, d in ipairs(vim.diagnostic.get(bufnr)) do
      if d.lnum == first.lnum and d.code == first.code then return false end
    end
    return true
  end, 50)
  result.cleared = fixed
  finish()
end)
