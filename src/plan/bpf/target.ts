/**
 * Where a planned probe attaches when it runs as a BPF program, read back from
 * its definition line (the place the tracefs planner resolved: kernel symbol
 * and offset, or the user binary's absolute path and file offset).
 */
import { SpecError } from '../../errors.js';
import type { PlannedProbe } from '../types.js';

/** The same shape as the BPF layer's AttachTarget (src/bpf/attach.ts). */
export type BpfAttachTarget =
  | { readonly kind: 'tracepoint'; readonly group: string; readonly event: string }
  | {
      readonly kind: 'uprobe' | 'uretprobe';
      readonly path: string;
      readonly offset: bigint;
      readonly pid?: number;
    }
  | {
      readonly kind: 'kprobe' | 'kretprobe';
      readonly symbol?: string;
      readonly offset?: bigint;
      readonly address?: bigint;
    };

/** `/abs/path:0xOFF[(0xREF)]` */
const USER_PLACE = /^(\/.*):0x([0-9a-fA-F]+)(\(0x[0-9a-fA-F]+\))?$/;
/** `[MOD:]SYM[+OFFS]` or `0xADDR` */
const KERNEL_PLACE = /^(?:([\w.-]+):)?([A-Za-z_.][\w.$]*)(?:\+(0x[0-9a-fA-F]+|\d+))?$/;

function placeOf(p: PlannedProbe): string {
  const head = p.definition?.trim().split(/\s+/) ?? [];
  const place = head[1];
  if (place === undefined) {
    throw new SpecError('E_BPF_TARGET', `${p.spec.text}: the plan has no place to attach to`);
  }
  return place;
}

export function bpfAttachTarget(p: PlannedProbe): BpfAttachTarget {
  if (p.kind === 'tracepoint') return { kind: 'tracepoint', group: p.group, event: p.event };
  const place = placeOf(p);
  if (p.kind === 'uprobe' || p.kind === 'uretprobe') {
    const m = USER_PLACE.exec(place);
    if (!m) {
      throw new SpecError('E_BPF_TARGET', `cannot read the uprobe place '${place}'`, {
        input: p.spec.text,
        hint: 'give the binary as an absolute path with a symbol or 0xOFFSET',
      });
    }
    if (m[3] !== undefined) {
      throw new SpecError(
        'E_BPF_TARGET',
        'a uprobe with a USDT semaphore (ref_ctr_offset) runs on the tracefs backend only',
        { input: p.spec.text, hint: 'use --backend tracefs' },
      );
    }
    return { kind: p.kind, path: m[1]!, offset: BigInt(`0x${m[2]!}`) };
  }
  if (/^0x[0-9a-fA-F]+$/.test(place)) return { kind: p.kind, address: BigInt(place) };
  const m = KERNEL_PLACE.exec(place);
  if (!m) {
    throw new SpecError('E_BPF_TARGET', `cannot read the kprobe place '${place}'`, {
      input: p.spec.text,
    });
  }
  const offset = m[3] === undefined ? 0n : BigInt(m[3]);
  return offset === 0n ? { kind: p.kind, symbol: m[2]! } : { kind: p.kind, symbol: m[2]!, offset };
}
