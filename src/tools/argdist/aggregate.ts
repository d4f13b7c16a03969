/** argdist's aggregation (pure): counts of value tuples, or a log2 histogram of one value. */
import { type FieldValue, isFault, Log2Histogram } from '../../index.js';

export type Mode = 'count' | 'hist';

/** A value as text for a count key: strings quoted, faults as <fault>, arrays in braces. */
export function keyText(v: FieldValue): string {
  if (typeof v === 'string') return JSON.stringify(v);
  if (typeof v === 'bigint' || typeof v === 'number') return String(v);
  if (Array.isArray(v)) return `{${(v as readonly FieldValue[]).map(keyText).join(',')}}`;
  if (isFault(v)) return '<fault>';
  return String(v);
}

/** The number a histogram takes from a field, or null when it is not a number. */
export function numericValue(v: FieldValue | undefined): bigint | null {
  if (typeof v === 'bigint') return v;
  if (typeof v === 'number' && Number.isInteger(v)) return BigInt(v);
  return null;
}

export class ArgAggregate {
  readonly mode: Mode;
  readonly spec: string;
  counts = new Map<string, number>();
  hist = new Log2Histogram();
  /** Events whose value was not a number (histograms) or that had no fields. */
  skipped = 0;
  /** The histogram's field. */
  field: string | null = null;

  constructor(mode: Mode, spec: string) {
    this.mode = mode;
    this.spec = spec;
  }

  add(fields: Readonly<Record<string, FieldValue>>): void {
    const entries = Object.entries(fields);
    if (entries.length === 0) {
      this.skipped++;
      return;
    }
    if (this.mode === 'count') {
      const key = entries.map(([k, v]) => `${k} = ${keyText(v)}`).join(', ');
      this.counts.set(key, (this.counts.get(key) ?? 0) + 1);
      return;
    }
    const [name, value] = entries[0]!;
    this.field ??= name;
    const n = numericValue(value);
    if (n === null) {
      this.skipped++;
      return;
    }
    // Negative values (errors, signed sizes) land in the first bucket.
    this.hist.add(n < 0n ? 0n : n);
  }

  /** Adds `n` events with these values, counted elsewhere (in the kernel); names in the probe's order. */
  addCounted(values: Readonly<Record<string, FieldValue>>, n: number): void {
    const key = Object.entries(values)
      .map(([k, v]) => `${k} = ${keyText(v)}`)
      .join(', ');
    this.counts.set(key, (this.counts.get(key) ?? 0) + n);
  }

  /** Adds a histogram made elsewhere (same buckets) of the field `field`. */
  addHistogram(field: string, h: Log2Histogram): void {
    this.field ??= field;
    h.buckets.forEach((count, i) => {
      if (count > 0) this.hist.add(i === 0 ? 0n : 1n << BigInt(i), count);
    });
  }

  reset(): void {
    this.counts = new Map();
    this.hist = new Log2Histogram();
  }

  /** Counts, largest first; the first `top` when given. */
  rows(top?: number): { key: string; count: number }[] {
    const all = [...this.counts].map(([key, count]) => ({ key, count }));
    all.sort((a, b) => b.count - a.count);
    return top === undefined ? all : all.slice(0, top);
  }
}
