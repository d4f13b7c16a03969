/** Call counts aggregated in the kernel (funccount, syscount). */
import { u32, u64 } from '../../bpf/codec.js';
import { type KeyPart, keyedProgram } from '../../bpf/gen/keyed.js';
import { slotCountProgram } from '../../bpf/gen/slot.js';
import { sum } from '../../bpf/map.js';
import type { ProbeSpec } from '../../spec/types.js';
import { prepare } from '../prepare.js';

import {
  type AggregateOptions,
  type Aggregation,
  Builder,
  build,
  checkOptions,
  common,
  countOf,
  KeyedMap,
  readEntries,
  requireBpf,
  targetOf,
  tracefsOption,
} from './shared.js';
export interface CountCallsOptions extends AggregateOptions {
  /** 'probe' (default): one count per probe; 'process': per probe and process. */
  readonly by?: 'probe' | 'process';
}

export interface CallCount {
  /** The probe's index in the specs given (and in prepared.plan.probes). */
  readonly index: number;
  /** The probe as planned (its spec text). */
  readonly probe: string;
  /** With by 'process': the process and its task name. */
  readonly tgid: number | null;
  readonly comm: string | null;
  readonly count: number;
}

export interface CallCounter extends Aggregation {
  /** Non-zero counts since the start (or the last reset); `reset` starts a new interval. */
  read(options?: { readonly reset?: boolean }): CallCount[];
}

/**
 * Counts hits of every probe in the kernel: one small program per probe adds
 * to its own slot of a per-CPU array (by 'probe'), or to a hash keyed by
 * probe, process and task name (by 'process').
 */
export async function countCalls(
  specs: readonly (string | ProbeSpec)[],
  options: CountCallsOptions = {},
): Promise<CallCounter> {
  checkOptions(options);
  requireBpf();
  const prepared = await prepare(specs, tracefsOption(options));
  const probes = prepared.plan.probes;
  const targets = probes.map(targetOf);
  const b = new Builder(options);
  return build(b, () => {
    const stats = b.stats();
    if ((options.by ?? 'probe') === 'probe') {
      const slots = b.map('percpu_array', 'calls', u32, u64, Math.max(1, probes.length));
      targets.forEach((t, i) => {
        b.run(`call${i}`, t, slotCountProgram({ ...b.filter, mapFd: slots.fd, slot: i }));
      });
      // Counts only grow: an interval is the difference from the last reset, so nothing is lost.
      const baseline = new Array<bigint>(probes.length).fill(0n);
      return {
        ...common(b, prepared, stats),
        read: (o: { readonly reset?: boolean } = {}) => {
          const out: CallCount[] = [];
          probes.forEach((p, i) => {
            const now = sum(slots.lookupPerCpu(i) ?? []);
            const n = now - (baseline[i] as bigint);
            if (o.reset) baseline[i] = now;
            if (n > 0n)
              out.push({ index: i, probe: p.spec.text, tgid: null, comm: null, count: Number(n) });
          });
          return out;
        },
      };
    }
    const parts: KeyPart[] = [{ kind: 'const', value: 0 }, { kind: 'tgid' }, { kind: 'comm' }];
    const km = new KeyedMap(b, 'calls', parts, false, options.maxKeys ?? 10240);
    targets.forEach((t, i) => {
      const key: KeyPart[] = [{ kind: 'const', value: i }, { kind: 'tgid' }, { kind: 'comm' }];
      b.run(`call${i}`, t, keyedProgram({ ...b.filter, mapFd: km.map.fd, key, statsFd: stats.fd }));
    });
    return {
      ...common(b, prepared, stats),
      read: (o: { readonly reset?: boolean } = {}) => {
        // One row per probe and process; threads named differently count together under the first name.
        const rows = new Map<string, CallCount>();
        for (const [k, v] of readEntries(km.map, o.reset === true)) {
          const index = km.u32(k, 0);
          const tgid = km.u32(k, 1);
          const id = `${index}/${tgid}`;
          const had = rows.get(id);
          rows.set(id, {
            index,
            probe: probes[index]?.spec.text ?? String(index),
            tgid,
            comm: had?.comm ?? km.comm(k, 2),
            count: (had?.count ?? 0) + countOf(v),
          });
        }
        return [...rows.values()].filter((r) => r.count > 0);
      },
    };
  });
}
