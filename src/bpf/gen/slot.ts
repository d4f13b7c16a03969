/**
 * The cheapest counter: one program per probe adds 1 to its own slot of a
 * per-CPU array (funccount with many probes). No hash, no key to build; the
 * reader sums the CPUs.
 *
 * Stack: fp-4 the slot index (u32).
 */
import { add64, atomic, call, jeq64, label, ldMapFd, mov64, st } from '../insn/builder.js';
import type { Insn } from '../insn/types.js';
import { type ProcessFilter, processFilter } from './process.js';
import { returnZero } from './snippets.js';

export interface SlotCountOptions extends ProcessFilter {
  /** Array or per-CPU array, u32 → u64, with more than `slot` entries. */
  readonly mapFd: number;
  readonly slot: number;
}

export function slotCountProgram(o: SlotCountOptions): Insn[] {
  return [
    mov64('r6', 'r1'),
    ...processFilter(o, 'out'),
    st(4, 'r10', -4, o.slot),
    ldMapFd('r1', o.mapFd),
    mov64('r2', 'r10'),
    add64('r2', -4),
    call('map_lookup_elem'),
    jeq64('r0', 0, 'out'),
    mov64('r1', 1),
    atomic('add', 8, 'r0', 0, 'r1'),
    label('out'),
    ...returnZero(),
  ];
}
