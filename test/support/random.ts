// Seeded randomness for tests that try many inputs (chunkings, cut points): the same seed gives the
// same sequence on every run and machine, so a failure names a case that can be replayed.

/** A random number generator in [0, 1) from a 32-bit seed (mulberry32: small, fast, well mixed). */
export function seededRandom(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** A seed from a name (FNV-1a), so each file of a corpus has its own sequence, stable when files are added. */
export function seedOf(name: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < name.length; i++) h = Math.imul(h ^ name.charCodeAt(i), 0x01000193);
  return h >>> 0;
}

/** Chunk boundaries for `size` bytes: random chunk lengths from 1 to `maxChunk`, ending at `size`. */
export function randomChunking(size: number, random: () => number, maxChunk: number): number[] {
  const ends: number[] = [];
  for (let at = 0; at < size; ) {
    at = Math.min(size, at + 1 + Math.floor(random() * maxChunk));
    ends.push(at);
  }
  return ends;
}
