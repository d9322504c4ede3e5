/** Clock and statistics the benchmarks share. */

/** Milliseconds from a monotonic clock. */
export function msNow(): number {
  return Number(process.hrtime.bigint()) / 1e6;
}

/** The median (upper median for an even count). */
export function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)];
}

/** A ratio as `0.87x` or `16x`. */
export function fmtRatio(x: number): string {
  return x >= 10 ? `${x.toFixed(0)}x` : `${x.toFixed(2)}x`;
}
