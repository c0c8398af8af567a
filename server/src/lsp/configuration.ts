// The `runlens` settings after initialize: pushed (workspace/didChangeConfiguration) or pulled
// (workspace/configuration), merged over the initialization options; a real change makes the
// session work positions out anew and the recordings be read again.

import { DidChangeConfigurationParams } from 'vscode-languageserver/node';
import { mergeSettings, resolveConfigWithProblems } from '../core/config';
import { current, ServerState } from './state';

/** workspace/didChangeConfiguration: settings sent, or (without them) to be pulled. */
export async function configurationChanged(state: ServerState, params: DidChangeConfigurationParams): Promise<void> {
  const settings = (params.settings as { runlens?: unknown } | undefined)?.runlens;
  // Clients send this right after connecting too (eglot): only a real change re-reads anything.
  const changed = settings !== undefined ? applyConfig(state, settings) : await pullConfiguration(state);
  if (changed) await state.indexer?.reindexAll();
}

/** Asks the client for the `runlens` section, where it answers such requests; says whether the config changed. */
export async function pullConfiguration(state: ServerState): Promise<boolean> {
  if (!state.capabilities.workspace?.configuration) return false;
  const [settings] = await state.connection.workspace.getConfiguration([{ section: 'runlens' }]);
  return settings !== null && settings !== undefined && applyConfig(state, settings);
}

/** Applies settings over the initialization options; says whether the config changed. */
function applyConfig(state: ServerState, settings: unknown): boolean {
  const { config, ignored } = resolveConfigWithProblems(mergeSettings(state.initializationOptions, settings));
  for (const message of ignored) state.connection.console.warn(`runlens: configuration: ${message}`);
  return current(state).setConfig(config);
}
