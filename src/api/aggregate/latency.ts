/** Latency histograms computed in the kernel (funclatency). */
import { Log2Histogram } from '../../analysis/histogram.js';
import {
  type KeyedProgramOptions,
  type KeyPart,
  keyedProgram,
  type Measure,
  STAT_NO_STAMP,
} from '../../bpf/gen/keyed.js';
import { stampProgram } from '../../bpf/gen/latency.js';
import { UsageError } from '../../errors.js';
import type { PlannedProbe } from '../../plan/types.js';
import type { ProbeSpec } from '../../spec/types.js';
import { prepare } from '../prepare.js';

import {
  type AggregateOptions,
  type Aggregation,
  addBucket,
  Builder,
  build,
  checkOptions,
  common,
  countOf,
  KeyedMap,
  readEntries,
  requireBpf,
  statOf,
  targetOf,
  tracefsOption,
} from './shared.js';
export interface LatencyCall {
  /** Where a call starts: `u:/bin/x:f`, `k:vfs_read`, `t:raw_syscalls:sys_enter`. */
  readonly entry: string | ProbeSpec;
  /** Where it ends, on the same thread: `ur:/bin/x:f`, `kr:vfs_read`. */
  readonly exit: string | ProbeSpec;
}

export interface LatencyOptions extends AggregateOptions {
  /** One histogram per process (with its task name) as well as per call. */
  readonly perProcess?: boolean;
  /** Latencies are divided by this before bucketing: 1 (ns, default), 1000 (us), 1000000 (ms). */
  readonly divisor?: number;
}

export interface LatencyHist {
  /** Index of the call in the list given. */
  readonly call: number;
  readonly tgid: number | null;
  readonly comm: string | null;
  /** Latencies (divided by `divisor`), in the same buckets as the tracefs tools use. */
  readonly hist: Log2Histogram;
}

export interface LatencyHistograms extends Aggregation {
  /** Histograms with at least one completed call; `reset` empties them. */
  read(options?: { readonly reset?: boolean }): LatencyHist[];
  /** Calls timed since the start, and returns seen without an entry stamp. */
  stats(): { readonly paired: number; readonly unmatchedReturns: number };
}

/**
 * Times calls in the kernel: the entry program stores the time per thread,
 * the exit program computes the latency, deletes the stamp and adds to a log2
 * histogram. A recursive call replaces its caller's stamp (the caller's return
 * is then counted as unmatched).
 */
export async function latencyHistogram(
  calls: LatencyCall | readonly LatencyCall[],
  options: LatencyOptions = {},
): Promise<LatencyHistograms> {
  checkOptions(options);
  const list: readonly LatencyCall[] = Array.isArray(calls) ? calls : [calls as LatencyCall];
  if (list.length === 0) throw new UsageError('E_NO_PROBES', 'no call to time');
  const divisor = options.divisor ?? 1;
  if (!Number.isInteger(divisor) || divisor < 1 || divisor > 0x7fffffff)
    throw new UsageError('E_USAGE', `divisor must be a positive integer, got ${divisor}`);
  requireBpf();
  const prepared = await prepare(
    list.flatMap((c) => [c.entry, c.exit]),
    tracefsOption(options),
  );
  const probes = prepared.plan.probes;
  for (const p of probes.filter((_, i) => i % 2 === 1))
    if (p.kind === 'uprobe' || p.kind === 'kprobe')
      throw new UsageError(
        'E_USAGE',
        `${p.spec.text}: an exit probe must be a return probe or a tracepoint`,
      );
  const b = new Builder(options);
  const perProcess = options.perProcess === true;
  const keyOf = (i: number): KeyPart[] => [
    { kind: 'const', value: i },
    ...(perProcess ? [{ kind: 'tgid' } as const, { kind: 'comm' } as const] : []),
    { kind: 'log2' },
  ];
  return build(b, () => {
    const stats = b.stats();
    const stamps = b.stamps(Math.max(10240, options.maxKeys ?? 0));
    const km = new KeyedMap(b, 'latency', keyOf(0), false, options.maxKeys ?? 10240);
    list.forEach((_, i) => {
      const entry = probes[2 * i] as PlannedProbe;
      const exit = probes[2 * i + 1] as PlannedProbe;
      b.run(
        `stamp${i}`,
        targetOf(entry),
        stampProgram({ ...b.filter, stampsFd: stamps.fd, index: i }),
      );
      const measure: Measure = {
        kind: 'elapsed',
        stampsFd: stamps.fd,
        index: i,
        requireStamp: true,
      };
      const o: KeyedProgramOptions = {
        ...b.filter,
        mapFd: km.map.fd,
        key: keyOf(i),
        measure,
        divisor,
        statsFd: stats.fd,
      };
      b.run(`time${i}`, targetOf(exit), keyedProgram(o));
    });
    const log2Part = perProcess ? 3 : 1;
    let taken = 0;
    const read = (o: { readonly reset?: boolean } = {}): LatencyHist[] => {
      const rows = new Map<string, LatencyHist>();
      for (const [k, v] of readEntries(km.map, o.reset === true)) {
        const call = km.u32(k, 0);
        const tgid = perProcess ? km.u32(k, 1) : null;
        const id = `${call}/${tgid ?? ''}`;
        let row = rows.get(id);
        if (!row) {
          row = {
            call,
            tgid,
            comm: perProcess ? km.comm(k, 2) : null,
            hist: new Log2Histogram(),
          };
          rows.set(id, row);
        }
        addBucket(row.hist, km.u32(k, log2Part), countOf(v));
      }
      const out = [...rows.values()].sort(
        (a, c) => a.call - c.call || (a.tgid ?? 0) - (c.tgid ?? 0),
      );
      if (o.reset) taken += out.reduce((n, r) => n + r.hist.total, 0);
      return out;
    };
    return {
      ...common(b, prepared, stats),
      read,
      stats: () => ({
        paired: taken + read().reduce((n, r) => n + r.hist.total, 0),
        unmatchedReturns: statOf(stats, STAT_NO_STAMP),
      }),
    };
  });
}
