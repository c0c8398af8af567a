// The workspace on disk, confined: every read resolves symlinks and refuses anything whose real
// path leaves the workspace root, so a recorded `../../etc/passwd` or a link out is never opened.
// Also the one door through which runlens opens a file of the workspace or one a user named
// (recordings, sources, the baseline, configuration): regular files only, opened without blocking
// and checked once open, so a FIFO or a device put in place after a check never blocks a thread.

import * as fs from 'node:fs';
import * as path from 'node:path';
import { WorkspaceFiles } from '../core/workspace';

/** Source files larger than this are not read (generated bundles, data). */
const MAX_SOURCE_BYTES = 4 << 20;

/** Folders never walked: dependencies, VCS, build output. */
export const SKIPPED_DIRS = new Set(['node_modules', '.git', '.hg', '.svn', '__pycache__', '.venv', 'venv', '.tox', 'site-packages', '.bundle']);

export function workspaceFiles(rootDir: string): WorkspaceFiles {
  const root = realRoot(rootDir);
  const rootPosix = root.split(path.sep).join('/');
  const listCache = new Map<string, string[]>();
  let allFiles: string[] | undefined;

  const inside = (rel: string): string | undefined => {
    const confined = confine(root, path.resolve(root, rel));
    return confined.kind === 'inside' ? confined.real : undefined;
  };

  return {
    rootPath: rootPosix,
    exists(rel: string): boolean {
      const real = inside(rel);
      if (!real) return false;
      try {
        return fs.statSync(real).isFile();
      } catch {
        return false;
      }
    },
    leavesRoot(rel: string): boolean {
      const abs = path.resolve(root, rel);
      if (!abs.startsWith(root + path.sep)) return true;
      // The file may not exist (deleted, or never there): then its nearest existing folder decides.
      for (let p = abs; p !== root; p = path.dirname(p)) {
        const confined = confine(root, p);
        if (confined.kind !== 'missing') return confined.kind === 'outside';
        if (isSymlink(p)) return true; // dangling: it could be made to lead anywhere
      }
      return false;
    },
    read(rel: string): string | undefined {
      try {
        return readTextSync(path.resolve(root, rel), { inside: root, maxBytes: MAX_SOURCE_BYTES });
      } catch {
        return undefined;
      }
    },
    stamp(rel: string): string | undefined {
      // One stat through links (a link pointed elsewhere changes the inode); confinement is read's.
      try {
        const st = fs.statSync(path.resolve(root, rel));
        return st.isFile() ? `${st.mtimeMs}:${st.ctimeMs}:${st.size}:${st.ino}` : undefined;
      } catch {
        return undefined;
      }
    },
    list(suffixes: string[]): string[] {
      const key = suffixes.join('\u0000');
      let list = listCache.get(key);
      if (!list) {
        allFiles ??= walk(root, () => true);
        list = allFiles.filter((f) => suffixes.some((s) => f.endsWith(s)));
        listCache.set(key, list);
      }
      return list;
    },
  };
}

// ---- confinement: the one place real paths are resolved and compared --------------------------------

/** The real path of a folder (links resolved): what confinement compares with. Throws when it is not there. */
export function realRoot(dir: string): string {
  return fs.realpathSync(dir);
}

/** Where a path really leads, for `root`: inside it (with its real path), out of it, or nowhere (not there, or a link loop). */
export type Confined = { kind: 'inside'; real: string } | { kind: 'outside' } | { kind: 'missing' };

/**
 * Whether `abs` (links resolved) is `root` (a real path, realRoot) or under it. Every confinement
 * check of runlens is this one (the door's, `inside`, the server's recording folders, the files
 * commands name): a recorded `../../etc/passwd`, or a link out, is outside.
 */
export function confine(root: string, abs: string): Confined {
  let real: string;
  try {
    real = fs.realpathSync(abs);
  } catch {
    return { kind: 'missing' };
  }
  return isWithin(real, root) ? { kind: 'inside', real } : { kind: 'outside' };
}

/** What a walk passed over that a user would miss: a folder it could not list, an entry `accept` takes that is not a regular file. */
export type WalkSkip = (relPath: string, why: string) => void;

/**
 * Workspace-relative POSIX paths of the files under `root` that `accept` takes, in sorted order.
 * Symlinks are not followed, so the walk never leaves the workspace. `skipped`, when given, hears
 * of every folder that could not be listed (a folder gone meanwhile aside) and every entry named as
 * `accept` wants that is not a regular file (a FIFO, a device, a link): what the walk leaves out
 * is said, not silent.
 */
export function walk(root: string, accept: (relPath: string) => boolean, skipped?: WalkSkip): string[] {
  const out: string[] = [];
  const stack: string[] = [''];
  while (stack.length) {
    const rel = stack.pop() as string;
    let entries: fs.Dirent[];
    try {
      entries = fs.readdirSync(path.join(root, rel), { withFileTypes: true });
    } catch (err) {
      if (errorCode(err) !== 'ENOENT') skipped?.(rel || '.', `cannot list the folder (${describeFailure(err)})`);
      continue;
    }
    for (const e of entries) {
      const child = rel ? `${rel}/${e.name}` : e.name;
      if (e.isDirectory()) {
        if (!SKIPPED_DIRS.has(e.name)) stack.push(child);
      } else if (e.isFile()) {
        if (accept(child)) out.push(child);
      } else if (skipped && accept(child)) skipped(child, `${kindOf(e)}, not a regular file: not read`);
    }
  }
  return out.sort();
}

// ---- the door: opening a file --------------------------------------------------------------------

/** What opening a file refused, besides the system's own errors (ENOENT, EACCES, ENAMETOOLONG, …). */
export class FileRefused extends Error {
  constructor(
    /** ENOTREG: not a regular file; EOUTSIDE: its real path leaves the folder it must stay in; ETOOBIG: over the size bound. */
    readonly code: 'ENOTREG' | 'EOUTSIDE' | 'ETOOBIG',
    message: string,
  ) {
    super(message);
  }
}

export interface OpenOptions {
  /**
   * A real path (symlinks resolved): the file's real path must be inside it. Checked before the
   * file is opened (a link out is never opened) and again on what was opened (a folder on the way
   * swapped for a link meanwhile).
   */
  inside?: string;
  /** A larger file is refused, by its size and by what a read returns (a /proc file says 0). */
  maxBytes?: number;
}

/**
 * Opens a regular file for reading, or throws (FileRefused, or the system's error). A path that is
 * not a regular file is never opened (opening some devices does something); one that becomes a
 * FIFO or a device after that check is opened without blocking (O_NONBLOCK: a FIFO's open would
 * wait for a writer forever, holding a thread of libuv's pool for good, and with it the exit of the
 * process) and refused by what the opened file is (fstat).
 */
export async function openFile(abs: string, options: OpenOptions = {}): Promise<fs.promises.FileHandle> {
  const target = options.inside === undefined ? abs : within(await fs.promises.realpath(abs), options.inside);
  checkFile(await fs.promises.stat(target), options);
  const handle = await fs.promises.open(target, openFlags(options));
  try {
    checkFile(await handle.stat(), options);
    if (options.inside !== undefined) within((await fs.promises.readlink(`/proc/self/fd/${handle.fd}`).catch(() => undefined)) ?? (await fs.promises.realpath(target)), options.inside);
    return handle;
  } catch (err) {
    await handle.close();
    throw err;
  }
}

/** openFile, synchronously: a file descriptor, which the caller closes. */
export function openFileSync(abs: string, options: OpenOptions = {}): number {
  const target = options.inside === undefined ? abs : within(fs.realpathSync(abs), options.inside);
  checkFile(fs.statSync(target), options);
  const fd = fs.openSync(target, openFlags(options));
  try {
    checkFile(fs.fstatSync(fd), options);
    if (options.inside !== undefined) within(openedPath(fd) ?? fs.realpathSync(target), options.inside);
    return fd;
  } catch (err) {
    fs.closeSync(fd);
    throw err;
  }
}

/** A whole file, through openFile; never more than `maxBytes` is read. */
export async function readBytes(abs: string, options: OpenOptions & { maxBytes: number }): Promise<Buffer> {
  const handle = await openFile(abs, options);
  try {
    let buffer: Buffer = Buffer.allocUnsafe(Math.min((await handle.stat()).size, options.maxBytes) + 1);
    let length = 0;
    for (;;) {
      if (length === buffer.length) buffer = grown(buffer, options.maxBytes);
      const { bytesRead } = await handle.read(buffer, length, buffer.length - length, null);
      if (bytesRead === 0) break;
      length += bytesRead;
    }
    return buffer.subarray(0, length);
  } finally {
    await handle.close();
  }
}

/** readBytes, synchronously. */
export function readBytesSync(abs: string, options: OpenOptions & { maxBytes: number }): Buffer {
  const fd = openFileSync(abs, options);
  try {
    let buffer: Buffer = Buffer.allocUnsafe(Math.min(fs.fstatSync(fd).size, options.maxBytes) + 1);
    let length = 0;
    for (;;) {
      if (length === buffer.length) buffer = grown(buffer, options.maxBytes);
      const n = fs.readSync(fd, buffer, length, buffer.length - length, null);
      if (n === 0) break;
      length += n;
    }
    return buffer.subarray(0, length);
  } finally {
    fs.closeSync(fd);
  }
}

/** A whole text file (UTF-8), through openFile; never more than `maxBytes` is read. */
export async function readText(abs: string, options: OpenOptions & { maxBytes: number }): Promise<string> {
  return (await readBytes(abs, options)).toString('utf8');
}

/** readText, synchronously. */
export function readTextSync(abs: string, options: OpenOptions & { maxBytes: number }): string {
  return readBytesSync(abs, options).toString('utf8');
}

/** Why a file could not be opened or read, for a problem: the refusal's words, else the system's code (ENOENT). */
export function describeFailure(err: unknown): string {
  if (err instanceof FileRefused) return err.message;
  const code = errorCode(err);
  if (code === 'ENAMETOOLONG') return 'ENAMETOOLONG: the path is longer than the system allows';
  return code ?? String(err);
}

export function errorCode(err: unknown): string | undefined {
  return err instanceof FileRefused ? err.code : (err as NodeJS.ErrnoException | undefined)?.code;
}

/** `a FIFO`, `a character device`, …: what a path is, for a person. */
export function kindOf(entry: fs.Stats | fs.Dirent): string {
  if (entry.isDirectory()) return 'a folder';
  if (entry.isFIFO()) return 'a FIFO';
  if (entry.isCharacterDevice()) return 'a character device';
  if (entry.isBlockDevice()) return 'a block device';
  if (entry.isSocket()) return 'a socket';
  if (entry.isSymbolicLink()) return 'a symbolic link';
  return entry.isFile() ? 'a regular file' : 'not a file';
}

function checkFile(st: fs.Stats, options: OpenOptions): void {
  if (!st.isFile()) throw new FileRefused('ENOTREG', `${kindOf(st)}, not a regular file`);
  if (options.maxBytes !== undefined && st.size > options.maxBytes) throw tooBig(options.maxBytes);
}

function tooBig(maxBytes: number): FileRefused {
  return new FileRefused('ETOOBIG', `larger than ${formatBytes(maxBytes)}`);
}

/** Twice as large, up to one byte over the bound: a read that fills that byte is over it. */
function grown(buffer: Buffer, maxBytes: number): Buffer {
  if (buffer.length > maxBytes) throw tooBig(maxBytes);
  const next = Buffer.allocUnsafe(Math.min(Math.max(2 * buffer.length, 1 << 16), maxBytes + 1));
  buffer.copy(next);
  return next;
}

function within(real: string, folder: string): string {
  if (!isWithin(real, folder)) throw new FileRefused('EOUTSIDE', 'it leads out of the workspace through a link');
  return real;
}

/** Whether a real path is `folder` (a real path) or under it. */
function isWithin(real: string, folder: string): boolean {
  return real === folder || real.startsWith(folder.endsWith(path.sep) ? folder : folder + path.sep);
}

/** Read-only, never blocking on open, never taking a terminal; the last part must not be a link when the real path was resolved beforehand. */
function openFlags(options: OpenOptions): number {
  const c = fs.constants;
  return c.O_RDONLY | (c.O_NONBLOCK ?? 0) | (c.O_NOCTTY ?? 0) | (options.inside === undefined ? 0 : c.O_NOFOLLOW ?? 0);
}

/** The real path of an open file where the system tells it (Linux: /proc/self/fd), else undefined (then the path is resolved again). */
function openedPath(fd: number): string | undefined {
  try {
    return fs.readlinkSync(`/proc/self/fd/${fd}`);
  } catch {
    return undefined;
  }
}

function formatBytes(n: number): string {
  return n % (1 << 20) === 0 ? `${n / (1 << 20)} MiB` : `${n.toLocaleString('en-US')} bytes`;
}

function isSymlink(p: string): boolean {
  try {
    return fs.lstatSync(p).isSymbolicLink();
  } catch {
    return false;
  }
}

/** Whether `abs` is `folder` or under it, by the names alone (links are the door's to check). */
export function isInside(folder: string, abs: string): boolean {
  const rel = path.relative(folder, abs);
  return rel !== '..' && !rel.startsWith(`..${path.sep}`) && !path.isAbsolute(rel);
}

/** `abs` for people: relative to `from` (POSIX separators) where it is inside it, else as it is. */
export function displayPath(from: string, abs: string): string {
  const rel = path.relative(from, abs);
  return rel && !rel.startsWith('..') && !path.isAbsolute(rel) ? rel.split(path.sep).join('/') : abs;
}
