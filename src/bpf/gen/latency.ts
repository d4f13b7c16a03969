/**
 * Entry timestamps per thread, for latencies measured in the kernel
 * (funclatency, syscount -L): an entry program stores bpf_ktime_get_ns() in a
 * hash map under {pid_tgid, index}; the matching return program (keyed.ts,
 * measure 'elapsed') looks it up, computes the delta and deletes the key.
 *
 * The index tells apart functions probed in one run, so that f calling g does
 * not mix their stamps. A recursive call of the same function overwrites its
 * caller's stamp: the inner call is timed, the outer return finds no stamp.
 *
 * Stack: fp-24 the stamp key (u64 pid_tgid, u32 index, u32 0), fp-32 the time.
 */
import { add64, call, label, ldMapFd, mov64, st } from '../insn/builder.js';
import type { Insn } from '../insn/types.js';
import { type ProcessFilter, processFilter } from './process.js';
import { returnZero } from './snippets.js';

/** Bytes of a stamp key: u64 pid_tgid, u32 index, u32 zero. */
export const STAMP_KEY_SIZE = 16;
/** Stack offset of the stamp key (shared with keyed.ts). */
export const STAMP_KEY = -24;
const STAMP_TIME = -32;

/** Writes the stamp key {pid_tgid, index, 0} at fp+STAMP_KEY. Clobbers r0-r5. */
export function stampKey(index: number): Insn[] {
  return [
    call('get_current_pid_tgid'),
    st(8, 'r10', STAMP_KEY, 'r0'),
    st(4, 'r10', STAMP_KEY + 8, index),
    st(4, 'r10', STAMP_KEY + 12, 0),
  ];
}

export interface StampProgramOptions extends ProcessFilter {
  /** Hash (or LRU hash) map: 16-byte stamp key → u64 ns. */
  readonly stampsFd: number;
  /** Which function (or syscall pair) of the run this entry belongs to. */
  readonly index: number;
}

/** The entry side: remember when this thread entered. */
export function stampProgram(o: StampProgramOptions): Insn[] {
  return [
    mov64('r6', 'r1'),
    ...processFilter(o, 'out'),
    ...stampKey(o.index),
    call('ktime_get_ns'),
    st(8, 'r10', STAMP_TIME, 'r0'),
    ldMapFd('r1', o.stampsFd),
    mov64('r2', 'r10'),
    add64('r2', STAMP_KEY),
    mov64('r3', 'r10'),
    add64('r3', STAMP_TIME),
    mov64('r4', 0), // BPF_ANY: a newer entry of the same thread replaces an old one
    call('map_update_elem'),
    label('out'),
    ...returnZero(),
  ];
}
