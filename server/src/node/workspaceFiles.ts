// The workspace on disk, confined: every read resolves symlinks and refuses anything whose real
// path leaves the workspace root, so a recorded `../../etc/passwd` or a link out is never opened.

import * as fs from 'node:fs';
import * as path from 'node:path';
import { WorkspaceFiles } from '../core/workspace';

/** Source files larger than this are not read (generated bundles, data). */
const MAX_SOURCE_BYTES = 4 << 20;

/** Folders never walked: dependencies, VCS, build output. */
export const SKIPPED_DIRS = new Set(['node_modules', '.git', '.hg', '.svn', '__pycache__', '.venv', 'venv', '.tox', 'site-packages', '.bundle']);

export function workspaceFiles(rootDir: string): WorkspaceFiles {
  const root = fs.realpathSync(rootDir);
  const rootPosix = root.split(path.sep).join('/');
  const listCache = new Map<string, string[]>();
  let allFiles: string[] | undefined;

  const inside = (rel: string): string | undefined => {
    const abs = path.resolve(root, rel);
    try {
      const real = fs.realpathSync(abs);
      if (real !== root && !real.startsWith(root + path.sep)) return undefined;
      return real;
    } catch {
      return undefined;
    }
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
        try {
          const real = fs.realpathSync(p);
          return real !== root && !real.startsWith(root + path.sep);
        } catch {
          if (isSymlink(p)) return true; // dangling: it could be made to lead anywhere
        }
      }
      return false;
    },
    read(rel: string): string | undefined {
      const real = inside(rel);
      if (!real) return undefined;
      try {
        const st = fs.statSync(real);
        if (!st.isFile() || st.size > MAX_SOURCE_BYTES) return undefined;
        return fs.readFileSync(real, 'utf8');
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

/**
 * Workspace-relative POSIX paths of the files under `root` that `accept` takes, in sorted order.
 * Symlinks are not followed, so the walk never leaves the workspace.
 */
export function walk(root: string, accept: (relPath: string) => boolean): string[] {
  const out: string[] = [];
  const stack: string[] = [''];
  while (stack.length) {
    const rel = stack.pop() as string;
    let entries: fs.Dirent[];
    try {
      entries = fs.readdirSync(path.join(root, rel), { withFileTypes: true });
    } catch {
      continue;
    }
    for (const e of entries) {
      const child = rel ? `${rel}/${e.name}` : e.name;
      if (e.isDirectory()) {
        if (!SKIPPED_DIRS.has(e.name)) stack.push(child);
      } else if (e.isFile() && accept(child)) out.push(child);
    }
  }
  return out.sort();
}

function isSymlink(p: string): boolean {
  try {
    return fs.lstatSync(p).isSymbolicLink();
  } catch {
    return false;
  }
}

/** `abs` for people: relative to `from` (POSIX separators) where it is inside it, else as it is. */
export function displayPath(from: string, abs: string): string {
  const rel = path.relative(from, abs);
  return rel && !rel.startsWith('..') && !path.isAbsolute(rel) ? rel.split(path.sep).join('/') : abs;
}
