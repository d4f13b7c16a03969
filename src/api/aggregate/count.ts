/** Call counts aggregated in the kernel (funccount, syscount). */
import { u32, u64 } from '../../bpf/codec.js';
import { type KeyPart, keyedProgram } from '../../bpf/gen/keyed.js';
import { slotCountProgram } from '../../bpf/gen/slot.js';
import { sum } from '../../bpf/map.js';
import { readStack } from '../../bpf/stack.js';
import { UsageError } from '../../errors.js';
import { loadKallsyms } from '../../kernel/kallsyms.js';
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
  /**
   * 'probe' (default): one count per probe; 'process': per probe and process;
   * 'stack': per probe and kernel stack; 'process-stack': per probe, process
   * and kernel stack.
   */
  readonly by?: 'probe' | 'process' | 'stack' | 'process-stack';
  /** With a stack: most distinct stacks the stack map keeps (default 4096); past that a stack is lost. */
  readonly maxStacks?: number;
}

/** What a row shows for a stack the kernel could not keep (its id is a negative errno). */
export const STACK_LOST = '[stack lost]';

export interface CallCount {
  /** The probe's index in the specs given (and in prepared.plan.probes). */
  readonly index: number;
  /** The probe as planned (its spec text). */
  readonly probe: string;
  /** With by 'process': the process and its task name. */
  readonly tgid: number | null;
  readonly comm: string | null;
  readonly count: number;
  /**
   * With a stack: the id bpf_get_stackid gave, or a negative errno when the
   * stack was lost (-EEXIST: another stack holds its hash bucket; -ENOMEM:
   * the stack map is full; -EFAULT: it could not be walked).
   */
  readonly stackId?: number;
  /** With a stack: kernel frames, innermost first (`do_syscall_64+0x7f`); [STACK_LOST] when lost. */
  readonly stack?: string[];
}

export interface CallCounter extends Aggregation {
  /** Non-zero counts since the start (or the last reset); `reset` starts a new interval. */
  read(options?: { readonly reset?: boolean }): CallCount[];
}

/**
 * Counts hits of every probe in the kernel: one small program per probe adds
 * to its own slot of a per-CPU array (by 'probe'), or to a hash keyed by
 * probe, process and task name (by 'process'), and by the kernel stack's id
 * in a stack trace map (by 'stack', 'process-stack'), symbolized with kallsyms.
 */
export async function countCalls(
  specs: readonly (string | ProbeSpec)[],
  options: CountCallsOptions = {},
): Promise<CallCounter> {
  checkOptions(options);
  const by = options.by ?? 'probe';
  if (!['probe', 'process', 'stack', 'process-stack'].includes(by))
    throw new UsageError(
      'E_USAGE',
      `by must be 'probe', 'process', 'stack' or 'process-stack', got ${String(by)}`,
    );
  const maxStacks = options.maxStacks ?? 4096;
  if (!(Number.isInteger(maxStacks) && maxStacks > 0))
    throw new UsageError('E_USAGE', `maxStacks must be a positive integer, got ${maxStacks}`);
  requireBpf();
  const prepared = await prepare(specs, tracefsOption(options));
  const withStack = by === 'stack' || by === 'process-stack';
  const ksyms = withStack ? await loadKallsyms() : null;
  const probes = prepared.plan.probes;
  const targets = probes.map(targetOf);
  const b = new Builder(options);
  return build(b, () => {
    const stats = b.stats();
    if (by === 'probe') {
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
    const perProcess = by !== 'stack';
    const stackMap = withStack ? b.stacks(maxStacks) : null;
    const keyOf = (i: number): KeyPart[] => [
      { kind: 'const', value: i },
      ...(perProcess ? ([{ kind: 'tgid' }, { kind: 'comm' }] as const) : []),
      ...(stackMap ? [{ kind: 'stack', stackMapFd: stackMap.fd } as const] : []),
    ];
    const km = new KeyedMap(b, 'calls', keyOf(0), false, options.maxKeys ?? 10240);
    const stackPart = km.parts.length - 1;
    targets.forEach((t, i) => {
      const key = keyOf(i);
      b.run(`call${i}`, t, keyedProgram({ ...b.filter, mapFd: km.map.fd, key, statsFd: stats.fd }));
    });
    // Stack ids are never reused for another stack while the map lives (nothing deletes them).
    const frames = new Map<number, string[]>();
    const framesOf = (id: number): string[] => {
      let f = frames.get(id);
      if (!f) {
        const ips = stackMap ? readStack(stackMap, id) : undefined;
        f = ips && ksyms ? ips.map((ip) => ksyms.symbolize(ip)) : [STACK_LOST];
        if (ips) frames.set(id, f);
      }
      return [...f];
    };
    return {
      ...common(b, prepared, stats),
      read: (o: { readonly reset?: boolean } = {}) => {
        // One row per probe, process and stack; threads named differently count together under the first name.
        const rows = new Map<string, CallCount>();
        for (const [k, v] of readEntries(km.map, o.reset === true)) {
          const index = km.u32(k, 0);
          const tgid = perProcess ? km.u32(k, 1) : null;
          const stackId = stackMap ? km.u32(k, stackPart) | 0 : null;
          const id = `${index}/${tgid}/${stackId}`;
          const had = rows.get(id);
          rows.set(id, {
            index,
            probe: probes[index]?.spec.text ?? String(index),
            tgid,
            comm: had?.comm ?? (perProcess ? km.comm(k, 2) : null),
            count: (had?.count ?? 0) + countOf(v),
            ...(stackId === null ? {} : { stackId, stack: had?.stack ?? framesOf(stackId) }),
          });
        }
        return [...rows.values()].filter((r) => r.count > 0);
      },
    };
  });
}
