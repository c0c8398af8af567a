// A worker thread of the IndexPool: reads recordings and reduces each to its RecordingSummary,
// off the server's main thread, so that requests are answered while a recording of any size is
// read. The worker has its own source index over the disk (parsed files are cached per
// configuration; the main thread tells it which files changed). Messages: see indexPool.ts.

import { parentPort } from 'node:worker_threads';
import { RunlensConfig } from '../core/config';
import { Derived } from '../core/derived';
import { SourceParsers } from '../core/source/definitions';
import { SourceIndex } from '../core/sourceIndex';
import { loadParsers } from './treeSitter';
import { workspaceFiles } from './workspaceFiles';
import { FromWorker, ToWorker } from './indexPool';
import { readAndSummarize } from './recordings';

const port = parentPort;
if (!port) throw new Error('indexWorker.js runs as a worker thread of the language server');

let parsers: Promise<SourceParsers | undefined> | undefined;
/** The source index, derived from the root and the configuration (their versions: the path and the config's JSON). */
const sourceIndexes = new Derived<0, SourceIndex>('worker.sourceIndex');
let sourceIndex: SourceIndex | undefined;

async function sourceIndexFor(root: string, config: RunlensConfig): Promise<SourceIndex> {
  parsers ??= loadParsers().catch(() => undefined); // the main thread already said why, once
  const loaded = await parsers;
  sourceIndex = sourceIndexes.getWith(0, [root, JSON.stringify(config)], () => new SourceIndex(workspaceFiles(root), loaded, config));
  return sourceIndex;
}

port.on('message', async (message: ToWorker) => {
  if (message.type === 'invalidate') {
    sourceIndex?.invalidate(message.relPath);
    return;
  }
  let reply: FromWorker;
  try {
    const index = await sourceIndexFor(message.root, message.config);
    // Source files may have changed on disk since the last recording (the main thread tells of
    // those it sees; this catches the rest): each file used is compared with its stamp once.
    index.revalidate();
    reply = { type: 'done', id: message.id, summary: await readAndSummarize(message.root, message.relPath, index, message.config) };
  } catch (err) {
    reply = { type: 'done', id: message.id, error: (err as Error).stack ?? String(err) };
  }
  port.postMessage(reply);
});

port.postMessage({ type: 'ready' } satisfies FromWorker);
