// Colours for people at a terminal: severities and paths in the text output and the problems, never
// in JSON, SARIF, Markdown or HTML. On when the stream is a terminal (and TERM is not `dumb`);
// NO_COLOR with any non-empty value turns them off; FORCE_COLOR turns them on even when the stream is
// not a terminal, and FORCE_COLOR=0 (or false) off. FORCE_COLOR wins over NO_COLOR, as in Node.

import { Severity } from '../core/config';

/** How text is marked for a terminal; `PLAIN` leaves it as it is. */
export interface Style {
  /** A `path:line:col`. */
  path(text: string): string;
  /** A severity word, in the severity's colour: error red, warning yellow, info cyan. */
  severity(severity: Severity, text: string): string;
  /** What matters less (the rule id). */
  dim(text: string): string;
}

export const PLAIN: Style = { path: (t) => t, severity: (_, t) => t, dim: (t) => t };

/** Bold paths, coloured severities, dim rule ids: SGR codes, each ended by its own reset (not a reset of all). */
export const COLORED: Style = {
  path: (t) => `\x1b[1m${t}\x1b[22m`,
  severity: (s, t) => `\x1b[${s === 'error' ? 31 : s === 'warning' ? 33 : 36}m${t}\x1b[39m`,
  dim: (t) => `\x1b[2m${t}\x1b[22m`,
};

/** Whether a stream gets colours, by the environment and whether it is a terminal. */
export function colorWanted(env: NodeJS.ProcessEnv, isTTY: boolean): boolean {
  if (env.FORCE_COLOR !== undefined) return env.FORCE_COLOR !== '0' && env.FORCE_COLOR !== 'false';
  if (env.NO_COLOR) return false;
  return isTTY && env.TERM !== 'dumb';
}
