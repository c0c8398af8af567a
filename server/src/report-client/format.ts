// Numbers and times as the page writes them, the way the command line does (core/findings/format.ts):
// counts with thousands separators, times in ms or s, shares in percent.

export function fmtCount(n: number): string { return Math.round(n).toString().replace(/\B(?=(\d{3})+(?!\d))/g, ','); }

export function plural(n: number, one: string, many?: string): string { return fmtCount(n) + ' ' + (n === 1 ? one : (many || one + 's')); }

/** As the command line writes times: 531 ms, 0.7 ms, <0.1 ms, 1.2 s. */
export function fmtMs(ms: number): string {
  if (!isFinite(ms)) return '? ms';
  if (ms < 0.1) return '<0.1 ms';
  if (ms < 1) return ms.toFixed(1) + ' ms';
  if (ms < 1000) return Math.round(ms) + ' ms';
  const s = ms / 1000;
  return s < 10 ? s.toFixed(1) + ' s' : fmtCount(s) + ' s';
}

/** More digits, for one frame: 0.114 ms, 12.3 ms. */
export function fmtMsFine(ms: number): string {
  if (ms === 0) return '0 ms';
  if (ms < 1) return ms.toPrecision(2) + ' ms';
  if (ms < 100) return ms.toFixed(1) + ' ms';
  return fmtMs(ms);
}

export function pct(part: number, whole: number): string { return whole > 0 ? (100 * part / whole).toFixed(part === whole ? 0 : 1) + '%' : ''; }
