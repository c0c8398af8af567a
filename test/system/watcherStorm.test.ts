// The index follows the disk, whatever the disk does while the index is being built. The real
// binary (`runlens --stdio`: its chokidar watcher, its worker threads) starts on a copy of the
// bookshop that holds a few hundred recordings, and at once 2,000 operations create, rewrite (in
// place, in two writes, through a `.part` file renamed over it, or broken), copy, rename (within
// and across folders, out of the recording suffix and back) and delete recordings, and move,
// delete and create whole folders of them, while requests and two configuration changes come in.
// Once the server is quiet, all it says about the recordings (status, workspace symbols, which
// name every recording since each recording written has a name of its own, diagnostics, lenses,
// hovers) must equal what a freshly started server says about the same folder. The same after a
// burst past the kernel's queue of watcher events (fs.inotify.max_queued_events), whose overflow
// nobody reports.
// Then hostile entries named like recordings: a FIFO, a device, a folder, links out of the
// workspace, FIFOs renamed over recordings while they are read, and a huge file that is broken at
// its first byte.

import * as assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { URI } from 'vscode-uri';
import { AUTHORS_RECORDING, BOOKS_RECORDING, BOOKSHOP } from '../support/bookshop';
import { copyWorkspaceWithoutDependencies, RawServer } from '../support/rawServer';
import { RecordingBuilder } from '../support/recordingBuilder';
import { seededRandom } from '../support/random';

const SUFFIX = '.appmap.json';
const STORM = 'tmp/appmap/storm';
/** The project file the generated recordings call into, so that lenses show what they add up to. */
const HANDLERS = 'src/storm/handlers.js';
const N_HANDLERS = 8;
/** Files whose lenses and hovers are compared. */
const SOURCES = ['src/routes/books.js', 'src/routes/authors.js', HANDLERS];
const OPERATIONS = 2_000;
/** FIFOs renamed over recordings: 300 held both workers of the server before the fix. */
const FIFO_SWAPS = 300;
const INITIAL = { big: 40, small: 120, generated: 200, folders: 8 };

describe('watcher storm: the index equals a fresh index of the disk, whatever happened meanwhile', function () {
  // Hang guards, generous enough for a busy machine (the file takes about 20 s on a quiet one).
  this.timeout(300_000);
  const servers: RawServer[] = [];
  const roots: string[] = [];

  afterEach(async () => {
    for (const server of servers.splice(0)) {
      if (server.alive) await server.kill();
    }
    for (const root of roots.splice(0)) fs.rmSync(root, { recursive: true, force: true });
  });

  it(`after ${OPERATIONS.toLocaleString('en-US')} creations, rewrites, renames and deletions during the first indexing`, async () => {
    const started = Date.now();
    const root = copyWorkspaceWithoutDependencies(BOOKSHOP, 'runlens-storm-');
    roots.push(root);
    const disk = new StormDisk(root, 20_241_124);
    disk.populate();
    const initialRecordings = countRecordings(root);

    const storm = RawServer.spawn(root);
    servers.push(storm);
    await storm.initialize({ waitForIndex: false });
    const stormStarted = Date.now();
    const atStart = await status(storm);
    assert.equal(atStart.indexing, true, 'the storm starts while the first indexing runs');

    const pending: Promise<unknown>[] = [];
    let indexingDuringStorm = 0;
    await disk.storm(OPERATIONS, async (op) => {
      if (op % 200 === 0) {
        // Requests meanwhile, each to be answered exactly once.
        pending.push(storm.request('textDocument/codeLens', { textDocument: { uri: storm.uri(SOURCES[op % 3]) } }));
        pending.push(status(storm).then((s) => (indexingDuringStorm += s.indexing ? 1 : 0)));
      }
      // A setting that changes the findings, then the defaults again: everything is re-read twice.
      if (op === 500) storm.notify('workspace/didChangeConfiguration', { settings: { runlens: { nPlusOne: { warningCount: 7 } } } });
      if (op === 1_000) storm.notify('workspace/didChangeConfiguration', { settings: { runlens: {} } });
    });
    const stormMs = Date.now() - stormStarted;
    await Promise.all(pending);
    // Found by this test: a configuration change while the watcher started kept the first indexing
    // from ever ending (see below); here it must end, however long a busy machine takes.
    const indexed = await until(storm, (s) => !s.indexing, 'the first indexing ends');

    // A fresh server on the same disk, once its first indexing is done, says what the disk holds;
    // the server that lived through the storm must come to say the same, however long the events
    // of the storm take to arrive and be read (its view is compared until it is equal, or the
    // hang guard ends the wait and the difference fails the test).
    const onDisk = countRecordings(root);
    const fresh = await RawServer.start(root);
    servers.push(fresh);
    const before = await viewOf(fresh);
    const after = await becomes(storm, before);
    const settledMs = Date.now() - stormStarted;
    const n = (x: number) => x.toLocaleString('en-US');
    const c = disk.counts;
    console.log(
      `watcher storm: ${n(OPERATIONS)} operations (${n(c.create)} creations, ${n(c.rewrite)} rewrites, ${n(c.copy)} copies, ${n(c.rename)} renames, ` +
        `${n(c.hide)} renamed out of or back into ${SUFFIX}, ${n(c.delete)} deletions, ${n(c.folder)} folder moves, deletions and creations) ` +
        `on ${n(initialRecordings)} recordings in ${(stormMs / 1000).toFixed(1)} s, the first indexing still running at ${indexingDuringStorm} of ${n(Math.ceil(OPERATIONS / 200))} checks; ` +
        `equal to a fresh index after ${(settledMs / 1000).toFixed(1)} s; ${n(onDisk)} recordings on disk; indexes after the storm and fresh: ` +
        `${n(after.status.recordings)} and ${n(before.status.recordings)} recordings, ${n(after.status.findings)} and ${n(before.status.findings)} findings, ` +
        `${n(after.symbols.length)} and ${n(before.symbols.length)} symbols, ${n(after.diagnostics.length)} and ${n(before.diagnostics.length)} diagnostics, ` +
        `${n(after.lenses.length)} and ${n(before.lenses.length)} lenses, ${JSON.stringify(after) === JSON.stringify(before) ? 'equal' : 'NOT equal'}; ` +
        `${((Date.now() - started) / 1000).toFixed(1)} s in all`,
    );
    const none = { onlyAfterTheStorm: [], onlyInAFreshIndex: [] };
    // One comparison, so that a failure shows every difference at once.
    assert.deepEqual(
      {
        firstIndexingDone: !indexed.indexing,
        recordings: after.status.recordings,
        findings: after.status.findings,
        symbols: difference(after.symbols, before.symbols),
        diagnostics: difference(after.diagnostics, before.diagnostics),
        lenses: difference(after.lenses, before.lenses),
        hovers: difference(after.hovers, before.hovers),
      },
      { firstIndexingDone: true, recordings: onDisk, findings: before.status.findings, symbols: none, diagnostics: none, lenses: none, hovers: none },
      // Found by this test, three causes (fixed), the last two with tests of their own below.
      // A recording written while chokidar starts (at the first indexing, and again at the
      // re-index after a setting changed) is listed and read, but chokidar never learns of it and
      // reports neither its changes nor its deletion: it stays, stale, or as "cannot read the file
      // (ENOENT)" when it went before it was read. A folder deleted just after a recording in it
      // was renamed away and back keeps that recording. A configuration change while the watcher
      // starts leaves the first indexing unfinished.
      'the index after the storm differs from a fresh index of the disk',
    );
    assert.equal(before.status.recordings, onDisk, 'a fresh index holds the recordings on disk');
    for (const part of ['symbols', 'diagnostics', 'lenses', 'hovers'] as const) assert.deepEqual(after[part], before[part], `${part}, in order`);
    assert.ok(before.symbols.length > onDisk / 2, `symbols name the recordings: ${before.symbols.length}`);
    assert.ok(before.lenses.some((l) => l.startsWith(HANDLERS)), before.lenses.join('\n'));
    for (const server of [storm, fresh]) {
      assert.deepEqual(server.unanswered(), []);
      assert.deepEqual(server.strayResponses(), []);
      assert.deepEqual(server.outputErrors, []);
    }
  });

  it('a burst of recordings past the kernel\'s queue of watcher events, written while the server cannot take them: the index equals a fresh index', async function () {
    // The kernel holds at most fs.inotify.max_queued_events watcher events for a process and drops
    // the rest, saying so only with an event libuv ignores. The server is stopped (SIGSTOP) while
    // the burst is written, so that nothing drains the queue: recordings written as recorders
    // write them, to a `.part` file renamed over (created, modified, moved from, moved to: four
    // events in its folder), half as many as the queue holds events, in three folders, are twice
    // what it can take. What comes after is dropped whole: recordings created in a fourth
    // folder, and rewrites and deletions of the recordings there. (Chokidar lists a folder again
    // when it has an event of it, so a change can only be lost for good in a folder none of whose
    // events came through.) The folders exist and are watched before: a folder event would make
    // the server list them again anyway.
    const queue = maxQueuedEvents();
    if (queue === undefined || queue > 200_000) {
      console.log(`burst past the inotify queue: skipped (fs.inotify.max_queued_events is ${queue ?? 'not readable'}; this test writes as many recordings)`);
      this.skip();
    }
    this.timeout(1_800_000); // hang guards below; a busy machine reads tens of thousands of recordings slowly
    const root = copyWorkspaceWithoutDependencies(BOOKSHOP, 'runlens-burst-');
    roots.push(root);
    fs.mkdirSync(path.join(root, path.dirname(HANDLERS)), { recursive: true });
    fs.writeFileSync(path.join(root, HANDLERS), handlersSource());
    const folders = [0, 1, 2, 3].map((i) => `${STORM}/burst${i}`);
    const BEFORE = 200;
    const AFTER_QUEUE = 1_000;
    const old: string[] = [];
    for (let k = 0; k < BEFORE; k++) old.push(`${folders[k < BEFORE / 2 ? k % 3 : 3]}/old${k}${SUFFIX}`);
    for (const folder of folders) fs.mkdirSync(path.join(root, folder), { recursive: true });
    old.forEach((rel, k) => fs.writeFileSync(path.join(root, rel), generatedRecording(`before the burst ${k}`, k)));
    const server = await RawServer.start(root);
    servers.push(server);
    assert.equal((await status(server)).recordings, 2 + BEFORE);

    const pid = server.child.pid as number;
    process.kill(pid, 'SIGSTOP');
    const burst = Math.ceil((queue as number) / 2);
    try {
      for (let k = 0; k < burst; k++) {
        const abs = path.join(root, `${folders[k % 3]}/burst${k}${SUFFIX}`);
        fs.writeFileSync(`${abs}.part`, generatedRecording(`burst ${k}`, BEFORE + k));
        fs.renameSync(`${abs}.part`, abs);
      }
      // Past the queue: created, rewritten (an N+1 more or less) and deleted in the fourth folder.
      for (let k = 0; k < AFTER_QUEUE; k++) fs.writeFileSync(path.join(root, `${folders[3]}/late${k}${SUFFIX}`), generatedRecording(`late ${k}`, k));
      for (let k = BEFORE / 2; k < BEFORE; k += 2) fs.writeFileSync(path.join(root, old[k]), generatedRecording(`rewritten in the burst ${k}`, k + 7));
      for (let k = BEFORE / 2 + 1; k < BEFORE; k += 2) fs.rmSync(path.join(root, old[k]));
    } finally {
      process.kill(pid, 'SIGCONT');
    }
    const resumed = Date.now();
    const onDisk = countRecordings(root);
    assert.equal(onDisk, 2 + BEFORE - BEFORE / 4 + burst + AFTER_QUEUE);

    // Requests are answered while the burst is taken in: the longest wait for a status, measured (not asserted).
    let longestStatusMs = 0;
    const settled = await (async () => {
      const guard = Date.now() + 900_000;
      for (;;) {
        const asked = Date.now();
        const s = await status(server);
        longestStatusMs = Math.max(longestStatusMs, Date.now() - asked);
        if (!s.indexing && !s.reading?.length && s.recordings === onDisk) return s;
        if (Date.now() > guard) return s; // the comparisons below show the difference
        await sleep(200);
      }
    })();
    const settledMs = Date.now() - resumed;

    const freshStarted = Date.now();
    const fresh = RawServer.spawn(root);
    servers.push(fresh);
    await fresh.initialize({ timeoutMs: 900_000 });
    const freshMs = Date.now() - freshStarted;
    const expected = await viewOf(fresh);
    const after = await becomes(server, expected, 300_000);
    const n = (x: number) => x.toLocaleString('en-US');
    console.log(
      `burst past the inotify queue (fs.inotify.max_queued_events ${n(queue as number)}): ${n(burst)} recordings written, then ${n(AFTER_QUEUE)} more in another folder, ${n(BEFORE / 4)} rewritten and ${n(BEFORE / 4)} deleted there, ` +
        `while the server was stopped; ${n(settled.recordings)} of ${n(onDisk)} recordings indexed ${(settledMs / 1000).toFixed(1)} s after it resumed ` +
        `(longest wait for a status meanwhile ${(longestStatusMs / 1000).toFixed(1)} s); a fresh server's first indexing took ${(freshMs / 1000).toFixed(1)} s; ` +
        `views ${JSON.stringify(after) === JSON.stringify(expected) ? 'equal' : 'NOT equal'}`,
    );
    const none = { onlyAfterTheStorm: [], onlyInAFreshIndex: [] };
    assert.deepEqual(
      {
        recordings: after.status.recordings,
        findings: after.status.findings,
        symbols: difference(after.symbols, expected.symbols),
        diagnostics: difference(after.diagnostics, expected.diagnostics),
        lenses: difference(after.lenses, expected.lenses),
        hovers: difference(after.hovers, expected.hovers),
      },
      { recordings: onDisk, findings: expected.status.findings, symbols: none, diagnostics: none, lenses: none, hovers: none },
      // Found by the attack of issue 15: 20,000 recordings written in 6 s left a running server
      // with 14,480 for good; the dropped events were never made up for. The server now lists
      // the folders again once as many raw events came as could have overflowed the queue.
      'the index after the burst differs from a fresh index of the disk',
    );
    assert.equal(expected.status.recordings, onDisk, 'a fresh index holds the recordings on disk');
    for (const s of [server, fresh]) {
      assert.deepEqual(s.unanswered(), []);
      assert.deepEqual(s.outputErrors, []);
    }
  });

  it('a configuration change just after initialized does not keep the first indexing from finishing', async () => {
    // As eglot does: settings sent right after connecting, here different from the initialization options.
    const root = copyWorkspaceWithoutDependencies(BOOKSHOP, 'runlens-config-');
    roots.push(root);
    const server = RawServer.spawn(root);
    servers.push(server);
    const first = server.waitForNotification<{ recordings: string[] }>('runlens/indexChanged', (p) => p.recordings.length > 0);
    await server.initialize({ waitForIndex: false });
    server.notify('workspace/didChangeConfiguration', { settings: { runlens: { nPlusOne: { warningCount: 7 } } } });
    assert.deepEqual((await first).recordings.sort(), [AUTHORS_RECORDING, BOOKS_RECORDING]);
    // Found by this test: reindexAll closed the watcher that start() was waiting on to be ready;
    // it never was, so start() never ended and `indexing` stayed true for good. A re-index now
    // waits for the first indexing.
    const s = await until(server, (x) => !x.indexing, 'the first indexing ends');
    assert.deepEqual({ indexing: s.indexing, recordings: s.recordings }, { indexing: false, recordings: 2 });
  });

  it('a folder deleted just after a recording in it was renamed away and back leaves nothing behind', async () => {
    const root = copyWorkspaceWithoutDependencies(BOOKSHOP, 'runlens-folder-');
    roots.push(root);
    const server = await RawServer.start(root);
    servers.push(server);
    const counts: number[] = [];
    for (let round = 0; round < 3; round++) {
      const folder = path.join(root, `tmp/appmap/round${round}`);
      const file = path.join(folder, `r${SUFFIX}`);
      fs.mkdirSync(folder);
      fs.writeFileSync(file, generatedRecording(`round ${round}`, round));
      await server.waitForNotification<{ recordings: string[] }>('runlens/indexChanged', (p) => p.recordings.some((r) => r.includes(`round${round}/`)));
      // Out of the recording suffix and back (an editor's safe write does this), then the folder
      // goes: in quick succession (the pauses only put the events in separate reads).
      fs.renameSync(file, `${file}.bak`);
      await sleep(10);
      fs.renameSync(`${file}.bak`, file);
      await sleep(50);
      fs.rmSync(folder, { recursive: true });
      // Found by this test: chokidar reports add, unlink, add for the file, then only unlinkDir for
      // the folder, which the indexer ignored: the recording stayed, for good. Folder events now
      // re-list. The index must come to hold the 2 recordings on disk, and keep to it.
      counts.push((await until(server, (s) => s.recordings === 2 && !s.reading?.length, `round ${round}: the index holds the 2 recordings on disk`, { steadyMs: 2_000 })).recordings);
    }
    assert.deepEqual(counts, [2, 2, 2], 'recordings in the index after each round (2 on disk)');
  });

  it('hostile entries named like recordings (a FIFO, a device, a folder, links out) never stall the server nor enter the index', async () => {
    const root = copyWorkspaceWithoutDependencies(BOOKSHOP, 'runlens-hostile-');
    roots.push(root);
    const server = await RawServer.start(root);
    servers.push(server);
    const dir = path.join(root, path.dirname(BOOKS_RECORDING));
    const outside = path.join(path.dirname(root), `${path.basename(root)}-outside${SUFFIX}`);
    roots.push(outside);
    fs.writeFileSync(outside, fs.readFileSync(path.join(root, AUTHORS_RECORDING)));
    const hostile: [string, () => void][] = [
      ['a FIFO', () => mkfifo(path.join(dir, `fifo${SUFFIX}`))],
      ['a link to a device', () => fs.symlinkSync('/dev/zero', path.join(dir, `zero${SUFFIX}`))],
      ['a link to a file outside the workspace', () => fs.symlinkSync('/etc/passwd', path.join(dir, `passwd${SUFFIX}`))],
      ['a link to a recording outside the workspace', () => fs.symlinkSync(outside, path.join(dir, `outside${SUFFIX}`))],
      ['a link to a folder outside the workspace', () => fs.symlinkSync('/etc', path.join(dir, `etc${SUFFIX}`))],
      ['a folder', () => fs.mkdirSync(path.join(dir, `folder${SUFFIX}`))],
      ['a dangling link', () => fs.symlinkSync(path.join(root, 'nope'), path.join(dir, `dangling${SUFFIX}`))],
      ['a link to a recording inside the workspace', () => fs.symlinkSync(path.join(root, AUTHORS_RECORDING), path.join(dir, `inside${SUFFIX}`))],
    ];
    for (const [what, make] of hostile) {
      make();
      // A recording written after it must still be indexed, promptly, and requests answered.
      const probe = `${path.dirname(BOOKS_RECORDING)}/probe-${hostile.findIndex(([w]) => w === what)}${SUFFIX}`;
      const indexed = server.waitForNotification<{ recordings: string[] }>('runlens/indexChanged', (p) => p.recordings.includes(probe));
      fs.copyFileSync(path.join(root, AUTHORS_RECORDING), path.join(root, probe));
      await indexed.catch((err: Error) => assert.fail(`after ${what}: ${err.message}`));
      const answer = await server.request('runlens/status').catch((err: Error) => assert.fail(`after ${what}: ${err.message}`));
      assert.ok(answer.result, what);
    }
    const fresh = await RawServer.start(root);
    servers.push(fresh);
    const before = await viewOf(fresh);
    const after = await becomes(server, before);
    // Found by this test: the first indexing walks regular files only, but the watcher took
    // whatever chokidar reported that ends in .appmap.json: a FIFO was indexed as a broken
    // recording, a link to a recording inside as a recording. Now only regular files are read:
    // no diagnostic was ever published on one of them, not even for a while.
    const hostileUris = ['fifo', 'zero', 'passwd', 'outside', 'etc', 'folder', 'dangling', 'inside'].map((name) => server.uri(`${path.dirname(BOOKS_RECORDING)}/${name}${SUFFIX}`));
    const published = server.notifications.filter((m) => m.method === 'textDocument/publishDiagnostics' && hostileUris.includes((m.params as { uri: string }).uri) && (m.params as { diagnostics: unknown[] }).diagnostics.length);
    assert.deepEqual(published, [], 'no diagnostic on the hostile entries');
    assert.equal(after.status.recordings, countRecordings(root), 'the index holds the regular recording files on disk');
    assert.deepEqual(after.status, before.status);
    assert.deepEqual(difference(after.diagnostics, before.diagnostics), { onlyAfterTheStorm: [], onlyInAFreshIndex: [] });
    assert.deepEqual(difference(after.symbols, before.symbols), { onlyAfterTheStorm: [], onlyInAFreshIndex: [] });
  });

  it(`${FIFO_SWAPS} FIFOs renamed over recordings while they are read never hold a worker, and exit still ends the server`, async () => {
    const root = copyWorkspaceWithoutDependencies(BOOKSHOP, 'runlens-fifo-swap-');
    roots.push(root);
    const server = await RawServer.start(root);
    servers.push(server);
    const dir = path.join(root, 'tmp/appmap/swap');
    fs.mkdirSync(dir);
    const bytes = fs.readFileSync(path.join(root, AUTHORS_RECORDING));
    const target = (k: number) => path.join(dir, `swap-${k}${SUFFIX}`);
    const putRecording = (file: string) => {
      fs.writeFileSync(`${file}.tmp`, bytes);
      fs.renameSync(`${file}.tmp`, file);
    };
    // Found by an attack (issue 15): a FIFO renamed over a recording between the check that it is
    // a regular file and its open made the open wait for a writer for ever, in a thread of libuv's
    // pool: within a few hundred swaps both workers stayed "reading" for good, nothing was indexed
    // again, and neither `exit` nor closing stdin ended the process. Now every open is
    // non-blocking and checked on what was opened. The schedule is fixed (pauses of 0 to 126 ms
    // between a recording and the FIFO that replaces it), not random, and nothing is timed.
    for (let i = 0; i < FIFO_SWAPS; i++) {
      const file = target(i % 8);
      putRecording(file);
      await sleep((i % 13) * 10);
      mkfifo(`${file}.fifo`);
      fs.renameSync(`${file}.fifo`, file);
      await sleep(i % 7);
    }
    // A recording at each path again: read at once, by workers that are free.
    for (let k = 0; k < 8; k++) putRecording(target(k));
    const fresh = await RawServer.start(root);
    servers.push(fresh);
    const expected = await viewOf(fresh);
    assert.equal(expected.status.recordings, 10);
    const after = await becomes(server, expected);
    assert.deepEqual(after, expected);
    assert.deepEqual(await server.close(), { code: 0, signal: null }, 'shutdown and exit end the server with status 0');
  });

  it('a huge recording that is broken at its first byte is given up at once, not read to its end', async () => {
    const root = copyWorkspaceWithoutDependencies(BOOKSHOP, 'runlens-huge-');
    roots.push(root);
    const server = await RawServer.start(root);
    servers.push(server);
    const rel = `${path.dirname(BOOKS_RECORDING)}/huge${SUFFIX}`;
    // 2 GiB of zero bytes, sparse: nothing to write, and not JSON from byte 0.
    const fd = fs.openSync(path.join(root, rel), 'w');
    fs.ftruncateSync(fd, 2 ** 31);
    fs.closeSync(fd);
    // What the server process read, by its kernel's count (rchar: bytes through read calls).
    const bytesRead = () => Number(/^rchar: (\d+)$/m.exec(fs.readFileSync(`/proc/${server.child.pid}/io`, 'utf8'))?.[1]);
    const before = bytesRead();
    const indexed = await server.waitForNotification<{ recordings: string[] }>('runlens/indexChanged', (p) => p.recordings.includes(rel), 60_000);
    assert.ok(indexed);
    const diagnostics = server.diagnostics().get(server.uri(rel)) as { message: string }[] | undefined;
    assert.match(diagnostics?.[0]?.message ?? '', /^byte 0: not valid JSON/);
    // Found by this test: the file was streamed to its end after the parser stopped at byte 0.
    const readMiB = (bytesRead() - before) / 2 ** 20;
    assert.ok(readMiB < 64, `the server read ${readMiB.toFixed(0)} MiB after the 2 GiB file broken at byte 0 appeared`);
  });
});

// The disk under the storm.

/** Creates, rewrites, renames and deletes recordings under tmp/appmap/storm, at random but from a seed. */
class StormDisk {
  readonly counts = { create: 0, rewrite: 0, copy: 0, rename: 0, hide: 0, delete: 0, folder: 0 };
  /** Live recordings and hidden ones (renamed to `*.appmap.json.bak`), workspace-relative. */
  private readonly live: string[] = [];
  private readonly hidden: string[] = [];
  private readonly folders: string[] = [];
  private serial = 0;
  private readonly random: () => number;
  private readonly books: string;
  private readonly authors: string;

  constructor(private readonly root: string, seed: number) {
    this.random = seededRandom(seed); // every run does the same operations in the same order
    this.books = fs.readFileSync(path.join(root, BOOKS_RECORDING), 'utf8');
    this.authors = fs.readFileSync(path.join(root, AUTHORS_RECORDING), 'utf8');
  }

  /** The storm's source file and the recordings there before the server starts. */
  populate(): void {
    fs.mkdirSync(path.join(this.root, path.dirname(HANDLERS)), { recursive: true });
    fs.writeFileSync(path.join(this.root, HANDLERS), handlersSource());
    for (let i = 0; i < INITIAL.folders; i++) this.newFolder();
    const kinds = [...Array(INITIAL.big).fill('big'), ...Array(INITIAL.small).fill('small'), ...Array(INITIAL.generated).fill('generated')] as Kind[];
    for (const kind of kinds) {
      const rel = this.newPath();
      this.write(rel, this.content(kind));
      this.live.push(rel);
    }
  }

  /** `n` operations; `between(i)` runs after each (requests, settings); yields to the event loop often. */
  async storm(n: number, between: (op: number) => Promise<void> | void): Promise<void> {
    for (let op = 1; op <= n; op++) {
      this.operate();
      await between(op);
      // Let this process read what the server writes (a full pipe would stall it).
      if (op % 10 === 0) await new Promise((resolve) => setImmediate(resolve));
    }
  }

  private operate(): void {
    const r = this.random();
    if (this.live.length < 20 || r < 0.2) return this.create();
    if (r < 0.42) return this.rewrite();
    if (r < 0.47) return this.copy();
    if (r < 0.67) return this.rename();
    if (r < 0.75) return this.hideOrShow();
    if (r < 0.95) return this.delete();
    return this.folder();
  }

  private create(): void {
    this.counts.create++;
    const rel = this.newPath();
    this.write(rel, this.content(this.kind()));
    this.live.push(rel);
  }

  private rewrite(): void {
    this.counts.rewrite++;
    const rel = this.pick(this.live);
    let text = this.content(this.kind());
    if (this.random() < 0.1) text = text.slice(0, Math.floor(text.length * (0.1 + 0.8 * this.random())));
    this.write(rel, text);
  }

  private copy(): void {
    this.counts.copy++;
    const from = this.pick(this.live);
    const to = this.newPath();
    fs.copyFileSync(this.abs(from), this.abs(to));
    this.live.push(to);
  }

  private rename(): void {
    this.counts.rename++;
    const from = this.take(this.live);
    // Now and then over another recording, which is then gone.
    const to = this.random() < 0.2 && this.live.length ? this.take(this.live) : this.newPath();
    fs.renameSync(this.abs(from), this.abs(to));
    this.live.push(to);
  }

  /** Out of the recording suffix (`.bak`), or back into it. */
  private hideOrShow(): void {
    this.counts.hide++;
    if (this.hidden.length && this.random() < 0.5) {
      const rel = this.take(this.hidden);
      const back = rel.slice(0, -'.bak'.length);
      if (fs.existsSync(path.dirname(this.abs(back))) && !this.live.includes(back)) {
        fs.renameSync(this.abs(rel), this.abs(back));
        this.live.push(back);
        return;
      }
      this.hidden.push(rel);
    }
    const rel = this.take(this.live);
    fs.renameSync(this.abs(rel), this.abs(`${rel}.bak`));
    this.hidden.push(`${rel}.bak`);
  }

  private delete(): void {
    this.counts.delete++;
    fs.rmSync(this.abs(this.take(this.live)));
  }

  /** A whole folder moved, deleted, or created full. */
  private folder(): void {
    this.counts.folder++;
    const r = this.random();
    if (r < 0.4 && this.folders.length > 2) {
      const from = this.take(this.folders);
      const to = this.newFolder({ create: false });
      fs.renameSync(this.abs(from), this.abs(to));
      const move = (list: string[]) => list.forEach((rel, i) => rel.startsWith(`${from}/`) && (list[i] = `${to}/${rel.slice(from.length + 1)}`));
      move(this.live);
      move(this.hidden);
    } else if (r < 0.6 && this.folders.length > 4) {
      const gone = this.take(this.folders);
      fs.rmSync(this.abs(gone), { recursive: true });
      const keep = (list: string[]) => list.splice(0, list.length, ...list.filter((rel) => !rel.startsWith(`${gone}/`)));
      keep(this.live);
      keep(this.hidden);
    } else {
      const folder = this.newFolder();
      for (let i = 0; i < 5; i++) {
        const rel = `${folder}/f${this.serial++}${SUFFIX}`;
        this.write(rel, this.content(this.kind()));
        this.live.push(rel);
      }
    }
  }

  /** Writes in one of the ways recorders and people do: at once, in two writes, or through a `.part` file renamed over. */
  private write(rel: string, text: string): void {
    const abs = this.abs(rel);
    const r = this.random();
    if (r < 0.6) fs.writeFileSync(abs, text);
    else if (r < 0.8) {
      const half = Math.floor(text.length / 2);
      fs.writeFileSync(abs, text.slice(0, half));
      fs.appendFileSync(abs, text.slice(half));
    } else {
      fs.writeFileSync(`${abs}.part`, text);
      fs.renameSync(`${abs}.part`, abs);
    }
  }

  /** A recording with a name of its own: a copy of GET /books (626 KB) or GET /authors, or a generated one. */
  private content(kind: Kind): string {
    const name = `storm ${this.serial++}`;
    if (kind === 'big') return renamed(this.books, name);
    if (kind === 'small') return renamed(this.authors, name);
    return generatedRecording(name, this.serial);
  }

  private kind(): Kind {
    const r = this.random();
    return r < 0.1 ? 'big' : r < 0.45 ? 'small' : 'generated';
  }

  private newFolder(options: { create?: boolean } = {}): string {
    const rel = `${STORM}/d${this.serial++}`;
    if (options.create ?? true) fs.mkdirSync(this.abs(rel), { recursive: true });
    this.folders.push(rel);
    return rel;
  }

  private newPath(): string {
    return `${this.pick(this.folders)}/r${this.serial++}${SUFFIX}`;
  }

  private pick<T>(list: T[]): T {
    return list[Math.floor(this.random() * list.length)];
  }

  /** Removes and returns a random element. */
  private take<T>(list: T[]): T {
    const i = Math.floor(this.random() * list.length);
    const [item] = list.splice(i, 1);
    return item;
  }

  private abs(rel: string): string {
    return path.join(this.root, rel);
  }
}

type Kind = 'big' | 'small' | 'generated';

/** The recording with its test's name replaced (appmap-node writes it once, in the metadata). */
function renamed(recording: string, name: string): string {
  const at = recording.lastIndexOf('"name":"bookshop lists the ');
  assert.ok(at > 0, 'the bookshop recordings name their test');
  const end = recording.indexOf('"', at + '"name":"'.length);
  return `${recording.slice(0, at)}"name":${JSON.stringify(name)}${recording.slice(end + 1)}`;
}

/** GET /storm/N: a handler of src/storm/handlers.js runs a list query and one query per row (an N+1 from 7 rows up). */
function generatedRecording(name: string, k: number): string {
  const b = new RecordingBuilder({ name, source_location: 'test/storm.test.js', recorder: { type: 'tests', name: 'mocha' }, client: { name: 'runlens-test-builder' } });
  const handler = k % N_HANDLERS;
  const rows = 3 + (k % 11);
  b.request('GET', `/storm/${k % 5}`, 20 + (k % 13), () => {
    b.call('handlers', `handler${handler}`, HANDLERS, handlerLine(handler), 15 + (k % 7), () => {
      b.sql('SELECT "items"."id", "items"."owner_id" FROM "items" ORDER BY "items"."id"');
      for (let i = 0; i < rows; i++) b.sql(`SELECT "owners"."id", "owners"."name" FROM "owners" WHERE "owners"."id" = ${i + 1}`);
      if (k % 3 === 0) b.call('books', 'present', 'src/routes/books.js', 6, 1 + (k % 5), () => undefined, true);
    }, true);
  });
  return b.json();
}

function handlersSource(): string {
  const lines = ['// Handlers the storm\'s generated recordings call.', ''];
  for (let h = 0; h < N_HANDLERS; h++) lines.push(`async function handler${h}(req, res) {`, `  res.json(await req.items(${h}));`, '}', '');
  lines.push(`module.exports = { ${Array.from({ length: N_HANDLERS }, (_, h) => `handler${h}`).join(', ')} };`, '');
  return lines.join('\n');
}

/** The 1-based line of `handler<h>` in handlersSource(). */
function handlerLine(h: number): number {
  return 3 + 4 * h;
}

// What a server says about the recordings.

interface Status {
  recordings: number;
  findings: number;
  indexing: boolean;
  reading?: string[];
}

interface View {
  status: { recordings: number; findings: number };
  symbols: string[];
  diagnostics: string[];
  lenses: string[];
  hovers: string[];
}

async function status(server: RawServer): Promise<Status> {
  const answer = await server.request('runlens/status');
  assert.ok(answer.result, JSON.stringify(answer));
  return answer.result as Status;
}

async function viewOf(server: RawServer): Promise<View> {
  const rel = (uri: string) => path.relative(server.root, URI.parse(uri).fsPath).split(path.sep).join('/');
  const { recordings, findings } = await status(server);
  const symbolsAnswer = await server.request('workspace/symbol', { query: '' });
  const symbols = (symbolsAnswer.result as { name: string; kind: number; location: { uri: string; range: { start: { line: number } } }; containerName?: string }[]).map(
    (s) => `${s.name} (${s.kind}) at ${rel(s.location.uri)}:${s.location.range.start.line} in ${s.containerName}`,
  );
  const diagnostics = [...server.diagnostics()]
    .flatMap(([uri, list]) => (list as { range: { start: { line: number; character: number } }; severity?: number; code?: unknown; message: string }[]).map((d) => `${rel(uri)}:${d.range.start.line}:${d.range.start.character} ${d.severity} ${d.code ?? '-'} ${d.message}`))
    .sort();
  const lenses: string[] = [];
  const hovers: string[] = [];
  for (const file of SOURCES) {
    const uri = server.uri(file);
    const answer = await server.request('textDocument/codeLens', { textDocument: { uri } });
    const list = answer.result as { range: { start: { line: number; character: number } }; command: { title: string; command: string; arguments?: unknown[] } }[];
    for (const l of list) lenses.push(`${file}:${l.range.start.line}:${l.range.start.character} ${l.command.title} (${l.command.command} ${JSON.stringify(l.command.arguments)})`);
    for (const line of new Set(list.map((l) => l.range.start.line))) {
      const hover = await server.request('textDocument/hover', { textDocument: { uri }, position: { line, character: 2 } });
      hovers.push(`${file}:${line} ${(hover.result as { contents: { value: string } } | null)?.contents.value ?? 'null'}`);
    }
  }
  return { status: { recordings, findings }, symbols, diagnostics, lenses, hovers };
}

/**
 * Waits until `test` holds of the server's status (and, with `steadyMs`, has held in every poll for
 * that long), and returns that status. Fails after `timeoutMs`, naming `what` and the last status:
 * a hang guard, generous enough for a busy machine, never a claim about speed.
 */
async function until(server: RawServer, test: (s: Status) => boolean, what: string, options: { steadyMs?: number; timeoutMs?: number } = {}): Promise<Status> {
  const { steadyMs = 0, timeoutMs = 120_000 } = options;
  const start = Date.now();
  let since: number | undefined;
  for (;;) {
    const s = await status(server);
    if (!test(s)) since = undefined;
    else if (since === undefined) since = Date.now();
    if (since !== undefined && Date.now() - since >= steadyMs) return s;
    if (Date.now() - start > timeoutMs) assert.fail(`not yet after ${timeoutMs / 1000} s: ${what}; status ${JSON.stringify(s).slice(0, 300)}`);
    await sleep(200);
  }
}

/**
 * Waits until the server says what `expected` (a fresh server's view of the same disk) says,
 * comparing views as they come; returns the last view, equal unless the hang guard (`timeoutMs`,
 * generous enough for a busy machine) ended the wait, in which case the caller's comparison
 * shows the difference.
 */
async function becomes(server: RawServer, expected: View, timeoutMs = 120_000): Promise<View> {
  const start = Date.now();
  for (;;) {
    const s = await status(server);
    const view = await viewOf(server);
    if (!s.indexing && !s.reading?.length && JSON.stringify(view) === JSON.stringify(expected)) return view;
    if (Date.now() - start > timeoutMs) return view;
    await sleep(500);
  }
}

/** What is in one list and not the other (as multisets), the first 20 of each. */
function difference(after: string[], fresh: string[]): { onlyAfterTheStorm: string[]; onlyInAFreshIndex: string[] } {
  const minus = (a: string[], b: string[]) => {
    const left = new Map<string, number>();
    for (const x of b) left.set(x, (left.get(x) ?? 0) + 1);
    return a.filter((x) => {
      const k = left.get(x) ?? 0;
      if (k > 0) left.set(x, k - 1);
      return k === 0;
    });
  };
  return { onlyAfterTheStorm: minus(after, fresh).slice(0, 20), onlyInAFreshIndex: minus(fresh, after).slice(0, 20) };
}

/** Regular files named *.appmap.json under the root, as a fresh index finds them (no links, no dependency folders). */
function countRecordings(root: string): number {
  let n = 0;
  const stack = [root];
  while (stack.length) {
    const dir = stack.pop() as string;
    for (const e of fs.readdirSync(dir, { withFileTypes: true })) {
      if (e.isDirectory() && e.name !== 'node_modules' && e.name !== '.git') stack.push(path.join(dir, e.name));
      else if (e.isFile() && e.name.endsWith(SUFFIX)) n++;
    }
  }
  return n;
}

/** fs.inotify.max_queued_events: the watcher events the kernel holds for a process before it drops the rest (undefined: not Linux). */
function maxQueuedEvents(): number | undefined {
  try {
    return Number(fs.readFileSync('/proc/sys/fs/inotify/max_queued_events', 'utf8').trim());
  } catch {
    return undefined;
  }
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

function mkfifo(file: string): void {
  // Node has no mkfifo; the command is part of coreutils.
  const { status: code, stderr } = spawnSync('mkfifo', [file], { encoding: 'utf8' });
  assert.equal(code, 0, stderr);
}
