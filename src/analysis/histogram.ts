/**
 * Power-of-two histograms, rendered like bcc's tools:
 *
 *      usecs               : count    distribution
 *          0 -> 1          : 3        |****                                    |
 *          2 -> 3          : 30       |****************************************|
 */

const MAX_BUCKETS = 65;

/** Bucket of a value: 0 for 0 and 1, otherwise floor(log2(v)). Negative values go to 0. */
export function log2Bucket(value: number | bigint): number {
  if (typeof value === 'bigint') {
    if (value < 2n) return 0;
    return value.toString(2).length - 1;
  }
  if (!(value >= 2)) return 0;
  if (value < 2 ** 31) return 31 - Math.clz32(value);
  return Math.min(MAX_BUCKETS - 1, Math.floor(Math.log2(value)));
}

export class Log2Histogram {
  readonly buckets: number[] = [];
  total = 0;

  add(value: number | bigint, count = 1): void {
    const b = log2Bucket(value);
    while (this.buckets.length <= b) this.buckets.push(0);
    this.buckets[b]! += count;
    this.total += count;
  }

  /** Lowest and highest value of bucket `i`, as bcc prints them. */
  static range(i: number): [bigint, bigint] {
    let low = (1n << BigInt(i + 1)) >> 1n;
    const high = (1n << BigInt(i + 1)) - 1n;
    if (low === high) low -= 1n;
    return [low, high];
  }
}

export interface RenderOptions {
  /** The value's unit word in the header (`usecs`, `nsecs`, `bytes`). */
  readonly unit?: string;
  /** Width of the star bar (default 40, 20 past 32 buckets like bcc). */
  readonly width?: number;
}

/** Renders the histogram as text, one line per bucket up to the highest non-empty one. */
export function renderLog2(hist: Log2Histogram, options: RenderOptions = {}): string {
  const unit = options.unit ?? 'value';
  let last = hist.buckets.length - 1;
  while (last >= 0 && hist.buckets[last] === 0) last--;
  if (last < 0) return '';
  const width = options.width ?? (last < 32 ? 40 : 20);
  const max = Math.max(...hist.buckets);
  const wide = last >= 32;
  const col = wide ? 20 : 10;
  const lines = [
    `${' '.repeat(wide ? 15 : 5)}${unit.padEnd(wide ? 29 : 19)} : count    distribution`,
  ];
  for (let i = 0; i <= last; i++) {
    const [low, high] = Log2Histogram.range(i);
    const count = hist.buckets[i] ?? 0;
    const stars = max > 0 ? Math.floor((count * width) / max) : 0;
    const bar = '*'.repeat(Math.min(stars, width)).padEnd(width);
    lines.push(
      `${String(low).padStart(col)} -> ${String(high).padEnd(col)} : ${String(count).padEnd(8)} |${bar}|`,
    );
  }
  return `${lines.join('\n')}\n`;
}
