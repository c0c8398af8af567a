-- The runlens client configuration, for Neovim 0.11's `vim.lsp.enable('runlens')` (which finds
-- this file on 'runtimepath') and for nvim-lspconfig-style set-ups. It is the table that
-- require('runlens').setup() uses, with its lens refreshing, user commands and handlers.
return require('runlens').config
