// Ending the language server's process whatever its threads are doing. process.exit() waits for
// every thread first: it stops the worker threads and joins libuv's thread pool, so one thread
// stuck in the kernel (an open() of a FIFO waiting for a writer, a read from a dead network mount)
// makes it wait forever, and an editor is left with a server that never goes. runlens opens no
// file that can block (node/workspaceFiles.ts), but the exit must not depend on that: after a
// bounded grace, a process whose clean-up did not finish, or that still has file requests in
// flight, is ended by SIGKILL, which waits for nothing.

/** How long the clean-up (watcher, worker threads) and the file requests in flight may take before the process is killed. */
export const EXIT_GRACE_MS = 3_000;

/**
 * Runs `cleanUp`, then exits with `code`; if the clean-up has not finished after EXIT_GRACE_MS, or
 * file requests are still in flight on this thread then, says so through `log` and ends the
 * process by SIGKILL instead (its status is then the signal's).
 */
export async function endProcess(code: number, cleanUp: () => Promise<void>, log: (line: string) => void): Promise<never> {
  const deadline = Date.now() + EXIT_GRACE_MS;
  const cleaned = await settlesWithin(cleanUp(), EXIT_GRACE_MS);
  while (cleaned && fileRequestsInFlight() > 0 && Date.now() < deadline) await sleep(20);
  const inFlight = fileRequestsInFlight();
  if (!cleaned || inFlight > 0) {
    log(`runlens: ${cleaned ? `${inFlight} file request(s) still in flight` : 'the clean-up (watcher, worker threads) did not finish'} ${EXIT_GRACE_MS / 1000} s after exit was asked for: a thread is stuck in the system; ending the process by SIGKILL`);
    process.kill(process.pid, 'SIGKILL');
  }
  process.exit(code);
}

/** File system requests of this thread that have not completed (each holds a thread of libuv's pool). */
export function fileRequestsInFlight(): number {
  return process.getActiveResourcesInfo().filter((r) => r.startsWith('FSReq')).length;
}

function settlesWithin(promise: Promise<unknown>, ms: number): Promise<boolean> {
  return new Promise((resolve) => {
    const timer = setTimeout(() => resolve(false), ms);
    const done = () => {
      clearTimeout(timer);
      resolve(true);
    };
    promise.then(done, done);
  });
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
