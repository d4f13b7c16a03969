/** The BPF target of the planner: a tracefs ProbePlan → one BpfProbePlan per probe. Pure. */
import { ptRegsOffset, resolveArch } from '../../arch/index.js';
import type { ArchInfo } from '../../arch/types.js';
import type { FilterExpr } from '../../spec/types.js';
import type { FieldFormat } from '../../stream/format.js';
import type { PlannedProbe, ProbePlan } from '../types.js';
import { compileFilter } from './filter.js';
import { fieldSlot, probeSlots, type SlotDraft, unsupported } from './slots.js';
import { bpfAttachTarget } from './target.js';
import { BPF_HEADER, BPF_MAX_SLOTS, type BpfProbePlan, type BpfSlot } from './types.js';

export interface BpfPlanOptions {
  /** The fields of a tracepoint (its format file), or null when unknown. */
  readonly tracepointFields: (group: string, event: string) => readonly FieldFormat[] | null;
  /** Byte offset of a register in struct pt_regs; defaults to the architecture table. */
  readonly regOffset?: (arch: ArchInfo, reg: string) => number | null;
}

/** Most bytes of one record; the ring buffer takes records up to its own size. */
export const BPF_MAX_RECORD = 32 << 10;

function filterFields(e: FilterExpr, out: Set<string>): Set<string> {
  if (e.kind === 'cmp') out.add(e.field);
  else if (e.kind === 'not') filterFields(e.operand, out);
  else {
    filterFields(e.left, out);
    filterFields(e.right, out);
  }
  return out;
}

function layout(drafts: readonly SlotDraft[]): { slots: BpfSlot[]; size: number } {
  let at: number = BPF_HEADER.size;
  const slots = drafts.map((d) => {
    const s = { ...d, offset: at } as BpfSlot;
    at += (d.bytes + 7) & ~7;
    return s;
  });
  return { slots, size: at };
}

function planOne(
  p: PlannedProbe,
  index: number,
  arch: ArchInfo,
  options: BpfPlanOptions,
): BpfProbePlan {
  const probe = p.spec.text;
  const regOffset = (reg: string) => (options.regOffset ?? ptRegsOffset)(arch, reg);
  const fields = p.kind === 'tracepoint' ? options.tracepointFields(p.group, p.event) : null;
  const drafts = probeSlots(p, arch, regOffset, fields);
  const hidden: string[] = [];
  if (p.spec.filter && fields) {
    // A tracepoint filter may use fields the probe does not show: record them too.
    for (const name of filterFields(p.spec.filter, new Set())) {
      const f = fields.find((x) => x.name === name);
      if (f && !drafts.some((d) => d.name === name)) {
        drafts.push(fieldSlot(probe, f, null));
        hidden.push(name);
      }
    }
  }
  if (drafts.length > BPF_MAX_SLOTS) {
    throw unsupported(probe, `recording ${drafts.length} values (at most ${BPF_MAX_SLOTS})`);
  }
  const { slots, size } = layout(drafts);
  if (size > BPF_MAX_RECORD) throw unsupported(probe, `a record of ${size} bytes`);
  const filter = p.spec.filter ? compileFilter(probe, p.spec.filter, slots) : null;
  const pc = arch.pcReg === null ? null : regOffset(arch.pcReg);
  const address: BpfProbePlan['address'] =
    p.kind === 'tracepoint' || pc === null
      ? null
      : p.kind === 'kprobe'
        ? { kind: 'func-ip' }
        : { kind: 'regs', offset: pc, meaning: p.kind === 'uprobe' ? 'ip' : 'ret-ip' };
  const notes = hidden.length > 0 ? [`recorded for the filter only: ${hidden.join(', ')}`] : [];
  return {
    index,
    probe,
    group: p.group,
    event: p.event,
    target: bpfAttachTarget(p),
    address,
    slots,
    hidden,
    filter,
    recordSize: size,
    notes,
  };
}

/** Plans every probe for the BPF backend; throws an UnsupportedError for what it cannot run. */
export function planBpf(plan: ProbePlan, options: BpfPlanOptions): BpfProbePlan[] {
  const arch = resolveArch(plan.arch);
  return plan.probes.map((p, i) => planOne(p, i, arch, options));
}
