// The language server over stdin and stdout (`runlens --stdio`): the connection built on our own
// stdin reader, and the process's end, on `exit` or when stdin closes. From here on stdout carries
// protocol only.

import { createConnection, Message, ProposedFeatures, StreamMessageWriter } from 'vscode-languageserver/node';
import { endProcess } from '../node/endProcess';
import { boundServerHeap } from '../node/heapFlags';
import { RunningServer, startServer } from './server';
import { StdioMessageReader } from './stdioReader';

/** Serves on stdin and stdout until the process ends (through endProcess): never resolves. */
export function serveStdio(): Promise<never> {
  boundServerHeap();
  const log = (line: string) => process.stderr.write(`${line}\n`);
  let shutdownRequested = false;
  let server: RunningServer | undefined;
  // The status LSP asks for: 0 only after `shutdown`. endProcess ends the process even when a
  // thread is stuck in the system, which process.exit() alone would wait for, forever.
  let ending = false;
  const end = () => {
    if (ending) return; // `exit`, then stdin closing
    ending = true;
    void endProcess(shutdownRequested ? 0 : 1, () => server?.dispose() ?? Promise.resolve(), log);
  };
  // Our own reader, not the stream: the library's cannot recover from a framing error (see stdioReader.ts).
  const reader = new StdioMessageReader(process.stdin, {
    log: (line) => log(`runlens: stdin: ${line}`),
    onMessage: (message) => {
      if (Message.isRequest(message) && message.method === 'shutdown') shutdownRequested = true;
      // `exit` is handled here, not by the library, whose handler calls process.exit() at once.
      if (Message.isNotification(message) && message.method === 'exit') {
        end();
        return true;
      }
      return false;
    },
  });
  // Handed a reader, not the stream, vscode-languageserver does not end the process when stdin
  // ends: it is done here. Without this, a server whose editor went away would run on.
  reader.onClose(end);
  const connection = createConnection(ProposedFeatures.all, reader, new StreamMessageWriter(process.stdout));
  server = startServer(connection);
  connection.listen();
  // The process ends through endProcess, on `exit` or when stdin closes.
  return new Promise<never>(() => undefined);
}
