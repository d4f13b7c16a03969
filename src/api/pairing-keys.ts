/** Which planned events are entries and returns of the same function, for latency pairing. */
import type { Side } from '../analysis/pairing.js';
import { defaultClassify } from '../analysis/pairing.js';
import type { ProbePlan } from '../plan/types.js';
import type { TraceEvent } from '../stream/types.js';

function targetKey(p: ProbePlan['probes'][number]): string | null {
  const t = p.spec.target;
  if (t.kind === 'kernel')
    return `k:${t.module ?? ''}:${t.symbol ?? `0x${(t.address ?? 0n).toString(16)}`}`;
  if (t.kind === 'user') return `u:${t.path}:${t.symbol ?? `0x${t.offset.toString(16)}`}`;
  return null;
}

export function classifierFor(plan: ProbePlan): (ev: TraceEvent) => Side | null {
  const sides = new Map<string, Side>();
  for (const p of plan.probes) {
    const key = targetKey(p);
    if (key === null) continue;
    const side = p.kind === 'kretprobe' || p.kind === 'uretprobe' ? 'return' : 'entry';
    sides.set(`${p.group}/${p.event}`, { side, key });
  }
  return (ev) =>
    sides.get(`${ev.group}/${ev.event}`) ?? (ev.group === 'syscalls' ? defaultClassify(ev) : null);
}
