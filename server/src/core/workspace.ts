// How recorded paths become workspace files: absolute, relative and Java package-relative paths are
// resolved to workspace-relative POSIX paths. Files are reached only through the WorkspaceFiles
// interface, which the Node side implements with confinement to the workspace.

/** Read access to the workspace, given to the core by its caller. Paths are workspace-relative POSIX. */
export interface WorkspaceFiles {
  /** The workspace root as an absolute POSIX path (used to relativise absolute recorded paths). */
  readonly rootPath: string;
  exists(relPath: string): boolean;
  /** The file's text, or undefined when it cannot be read (missing, outside, too large). */
  read(relPath: string): string | undefined;
  /**
   * True when the path leads out of the workspace through a symlink: its real path, or that of its
   * nearest existing folder, is outside the root (or it is a dangling link). Such a path is
   * outside, not a missing project file: a finding placed there would sit on a file elsewhere.
   */
  leavesRoot(relPath: string): boolean;
  /** Workspace-relative paths of files whose name ends with one of `suffixes`, skipping dependency and VCS folders. */
  list(suffixes: string[]): string[];
  /**
   * What changes when the file's text may have (times, size and inode on disk; an open
   * document's version), or undefined when it is not there. Files that can change behind the
   * index's back (the disk: a git pull, a formatter) have one; SourceIndex compares it.
   */
  stamp?(relPath: string): string | undefined;
}

export type ResolvedPath =
  /** A file of the project, present in the workspace. */
  | { kind: 'workspace'; relPath: string }
  /** Relative to the project but not present now (deleted, or recorded elsewhere). */
  | { kind: 'missing'; relPath: string }
  /** Outside the workspace (gems, site-packages, ../..): kept in statistics, never opened. */
  | { kind: 'outside'; path: string };

/** Folders whose files are dependencies, not the project, even when inside the workspace. */
const DEPENDENCY_SEGMENTS = new Set(['node_modules', 'site-packages', 'dist-packages', '.venv', 'venv', '.bundle', 'vendor', '.git', '__pypackages__']);

export function resolveRecordedPath(recorded: string, files: WorkspaceFiles, sourceRoots: string[], pathMappings: Record<string, string> = {}): ResolvedPath {
  let p = recorded.replace(/\\/g, '/');
  // Recordings made elsewhere (a container's /app): the longest matching prefix is replaced.
  const from = Object.keys(pathMappings)
    .filter((prefix) => p === prefix || p.startsWith(prefix.replace(/\/+$/, '') + '/'))
    .sort((a, b) => b.length - a.length)[0];
  if (from !== undefined) {
    const rest = p.slice(from.replace(/\/+$/, '').length).replace(/^\/+/, '');
    p = `${pathMappings[from].replace(/\/+$/, '')}/${rest}`;
    if (p.startsWith('/')) p = p.slice(1);
  }
  // Agents put non-files in `path` too: Ruby's `<internal:pack>`, C methods named like `JSON::Ext::Parser#parse`.
  if (!looksLikeFile(p)) return { kind: 'outside', path: recorded };
  if (/^[A-Za-z]:\//.test(p)) return { kind: 'outside', path: recorded };
  if (p.startsWith('/')) {
    const root = files.rootPath.replace(/\/+$/, '');
    if (!p.startsWith(root + '/')) return { kind: 'outside', path: recorded };
    p = p.slice(root.length + 1);
  }
  const rel = normalizeRelative(p);
  if (rel === undefined) return { kind: 'outside', path: recorded };
  if (rel.split('/').some((s) => DEPENDENCY_SEGMENTS.has(s))) return { kind: 'outside', path: recorded };
  if (files.exists(rel)) return { kind: 'workspace', relPath: rel };
  if (files.leavesRoot(rel)) return { kind: 'outside', path: recorded };
  // appmap-java records paths relative to the package root (com/acme/Foo.java).
  for (const root of sourceRoots) {
    const candidate = `${root}/${rel}`;
    if (files.exists(candidate)) return { kind: 'workspace', relPath: candidate };
  }
  return { kind: 'missing', relPath: rel };
}

/** Normalises a relative POSIX path; undefined when it climbs out of the root. */
export function normalizeRelative(p: string): string | undefined {
  const out: string[] = [];
  for (const seg of p.split('/')) {
    if (seg === '' || seg === '.') continue;
    if (seg === '..') {
      if (out.length === 0) return undefined;
      out.pop();
    } else out.push(seg);
  }
  return out.length ? out.join('/') : undefined;
}

function looksLikeFile(p: string): boolean {
  if (/[<>#]|::/.test(p)) return false;
  const base = p.slice(p.lastIndexOf('/') + 1);
  return /\.[A-Za-z0-9_]+$/.test(base);
}
