// Globs for the `traces` setting (`**/*.otlp.json`, `.runlens/traces/**`): `*` and `?` within a
// path segment, `**` across segments, `{a,b}` alternatives. A glob matches a path when it matches
// the whole path or a tail of its segments, so `.runlens/traces/**` finds the traces of a package
// in a monorepo as well as the root's, and a folder given on the command line is searched alike.

/** A test of POSIX or native paths against the globs. */
export function globMatcher(globs: readonly string[]): (path: string) => boolean {
  const patterns = globs.filter((g) => g.trim() !== '').map(globToRegExp);
  return (p: string): boolean => {
    const segments = p.replace(/\\/g, '/').split('/').filter((s) => s !== '' && s !== '.');
    for (let i = 0; i < segments.length; i++) {
      const tail = segments.slice(i).join('/');
      for (const re of patterns) if (re.test(tail)) return true;
    }
    return false;
  };
}

/** The regular expression of one glob (anchored at both ends). */
export function globToRegExp(glob: string): RegExp {
  let g = glob.replace(/\\/g, '/').replace(/^\.\/+/, '').replace(/^\/+/, '');
  let out = '';
  let inBraces = 0;
  for (let i = 0; i < g.length; i++) {
    const c = g[i];
    if (c === '*' && g[i + 1] === '*') {
      // `**/` matches no folder or any number of them; a final `**` anything below.
      const slash = g[i + 2] === '/';
      out += slash ? '(?:.*/)?' : '.*';
      i += slash ? 2 : 1;
    } else if (c === '*') out += '[^/]*';
    else if (c === '?') out += '[^/]';
    else if (c === '{') {
      inBraces++;
      out += '(?:';
    } else if (c === '}' && inBraces > 0) {
      inBraces--;
      out += ')';
    } else if (c === ',' && inBraces > 0) out += '|';
    else out += c.replace(/[.+^$()|[\]\\]/g, '\\$&');
  }
  g = out + ')'.repeat(inBraces);
  return new RegExp(`^${g}$`);
}
