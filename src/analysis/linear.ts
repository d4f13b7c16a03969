/**
 * Linear histograms, rendered like bpftrace's lhist(value, min, max, step):
 *
 *   (..., 0)               1 |@@@@@@@@@@@@@@@@@@@@@@@@@@                          |
 *   [0, 10)                1 |@@@@@@@@@@@@@@@@@@@@@@@@@@                          |
 *   [10, 20)               2 |@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@|
 *   [100, ...)             2 |@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@|
 *
 * Bucket i holds [min + i*step, min + (i+1)*step), the last one cut at max;
 * values below min and at max or above have a bucket each.
 */

/** Most regular buckets a histogram holds in memory. */
const MAX_BUCKETS = 1_000_000;

export interface LinearBounds {
  readonly min: bigint;
  readonly max: bigint;
  readonly step: bigint;
}

export class LinearHistogram implements LinearBounds {
  readonly min: bigint;
  readonly max: bigint;
  readonly step: bigint;
  /** Counts of the regular buckets. */
  readonly buckets: number[];
  /** Values below min. */
  below = 0;
  /** Values at max and above. */
  above = 0;
  total = 0;

  constructor(min: number | bigint, max: number | bigint, step: number | bigint) {
    for (const [name, v] of [
      ['min', min],
      ['max', max],
      ['step', step],
    ] as const)
      if (typeof v === 'number' && !Number.isSafeInteger(v))
        throw new RangeError(`linear histogram: ${name} must be an integer, got ${v}`);
    this.min = BigInt(min);
    this.max = BigInt(max);
    this.step = BigInt(step);
    if (this.step <= 0n || this.max <= this.min)
      throw new RangeError(
        `linear histogram: needs min < max and step > 0, got min ${min}, max ${max}, step ${step}`,
      );
    const n = (this.max - this.min + this.step - 1n) / this.step;
    if (n > BigInt(MAX_BUCKETS))
      throw new RangeError(`linear histogram: ${n} buckets is too many (at most ${MAX_BUCKETS})`);
    this.buckets = new Array<number>(Number(n)).fill(0);
  }

  /** The bucket index of a value, numbered as the kernel numbers them: 0 below min, 1..n, n + 1 at max and above. */
  index(value: number | bigint): number {
    const v = typeof value === 'bigint' ? value : BigInt(Math.floor(value));
    if (v < this.min) return 0;
    if (v >= this.max) return this.buckets.length + 1;
    return Number((v - this.min) / this.step) + 1;
  }

  add(value: number | bigint, count = 1): void {
    this.addIndex(this.index(value), count);
  }

  /** Adds to a bucket by index (see index()); an index past n + 1 counts as above. */
  addIndex(index: number, count: number): void {
    if (index <= 0) this.below += count;
    else if (index > this.buckets.length) this.above += count;
    else this.buckets[index - 1]! += count;
    this.total += count;
  }

  /** Lowest value and the bound past the highest of regular bucket i (0-based). */
  range(i: number): [bigint, bigint] {
    const low = this.min + BigInt(i) * this.step;
    const high = low + this.step;
    return [low, high < this.max ? high : this.max];
  }
}

export interface LinearRenderOptions {
  /** Width of the bar (default 52, as bpftrace). */
  readonly width?: number;
}

/** Renders the histogram as bpftrace does, from the first to the last non-empty bucket. */
export function renderLinear(hist: LinearHistogram, options: LinearRenderOptions = {}): string {
  const width = options.width ?? 52;
  const rows: [string, number][] = [
    [`(..., ${hist.min})`, hist.below],
    ...hist.buckets.map((n, i): [string, number] => {
      const [low, high] = hist.range(i);
      return [`[${low}, ${high})`, n];
    }),
    [`[${hist.max}, ...)`, hist.above],
  ];
  const first = rows.findIndex(([, n]) => n > 0);
  if (first < 0) return '';
  let last = rows.length - 1;
  while (rows[last]![1] === 0) last--;
  const max = Math.max(...rows.map(([, n]) => n));
  const lines = rows.slice(first, last + 1).map(([label, n]) => {
    const bar = '@'.repeat(Math.floor((n * width) / max)).padEnd(width);
    return `${label.padEnd(16)}${String(n).padStart(8)} |${bar}|`;
  });
  return `${lines.join('\n')}\n`;
}
