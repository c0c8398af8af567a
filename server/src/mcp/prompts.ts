// The MCP prompts: "fix the N+1 at …" and "verify my performance fix", each walking an agent through
// find → edit → re-record → compare with this server's tools.

import { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js';
import { z } from 'zod';

export function registerPrompts(server: McpServer): void {
  server.registerPrompt(
    'fix_n_plus_one',
    {
      title: 'Fix the N+1 at …',
      description: 'Find the N+1 at a place (file or file:line), apply its fix, re-record, and prove it with compare',
      argsSchema: { location: z.string().max(4096).describe('a file, or file:line, e.g. src/routes/books.js:21') },
    },
    ({ location }) => {
      const [file, line] = splitLocation(location);
      return userPrompt(
        `Fix the N+1 query at ${location} with the runlens tools, and prove the fix:\n` +
          `1. Call findings with {"rule": "n-plus-one", "path": ${JSON.stringify(file)}}${line ? ` and take the finding on line ${line}` : ''}. Call explain_finding with its id to see the call path from the request to the repeated queries, and the query whose rows the loop iterates.\n` +
          '2. Unless a baseline is saved already, call save_baseline (or keep the current recordings aside) so that there is a "before".\n' +
          '3. If the finding has fix.edit, replace fix.edit.oldText by fix.edit.newText in fix.edit.path (the range says where); else follow fix.hint. Change nothing else.\n' +
          '4. Re-record the tests that ran this code (the record tool when allowed, else ask the user to run `runlens record -- <test command>`).\n' +
          '5. Call compare (the baseline against the new recordings): the route\'s SQL count must drop, the finding must be listed as resolved, and regressed must be false. Report the before → after figures.',
      );
    },
  );

  server.registerPrompt(
    'verify_performance_fix',
    {
      title: 'Verify my performance fix',
      description: 'Compare the recordings after a change with the baseline (or the earlier recordings) and say whether it helped',
      argsSchema: { before: z.string().max(4096).optional().describe('the earlier recordings or a baseline file, workspace-relative (default: the saved baseline)') },
    },
    ({ before }) =>
      userPrompt(
        'Verify my performance fix with the runlens tools:\n' +
          '1. Make sure the recordings are of the changed code: re-record the tests (the record tool when allowed, else ask me to run `runlens record -- <test command>`).\n' +
          `2. Call compare${before ? ` with {"before": [${JSON.stringify(before)}]}` : ' (the saved baseline against the current recordings)'}.\n` +
          '3. Say, with its figures, what changed per route and test (time and SQL before → after, and whether the time change is beyond the noise), which findings were resolved and which are new, and the verdict (regressed or not).\n' +
          '4. If something regressed or a finding is new, call explain_finding on it and propose the next change.',
      ),
  );
}

function userPrompt(text: string) {
  return { messages: [{ role: 'user' as const, content: { type: 'text' as const, text } }] };
}

/** `path:line` → [path, line]; a path alone → [path, undefined]. */
function splitLocation(location: string): [string, string | undefined] {
  const m = /^(.*):(\d+)(?::\d+)?$/.exec(location);
  return m ? [m[1], m[2]] : [location, undefined];
}
