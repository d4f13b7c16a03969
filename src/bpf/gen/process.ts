/** Which processes a generated aggregation counts: one process (tgid), minus some (the tracer itself). */
import { call, jeq64, jne64, rsh64 } from '../insn/builder.js';
import type { Insn } from '../insn/types.js';

export interface ProcessFilter {
  /** Count only events of this process (all its threads). */
  readonly tgid?: number | undefined;
  /** Leave these processes out. */
  readonly exclude?: readonly number[] | undefined;
}

/** Most processes one program leaves out (one compare each). */
export const MAX_EXCLUDED = 64;

/** Jumps to `skip` for events the filter leaves out. Clobbers r0-r5. */
export function processFilter(f: ProcessFilter, skip: string): Insn[] {
  const exclude = f.exclude ?? [];
  if (f.tgid === undefined && exclude.length === 0) return [];
  if (exclude.length > MAX_EXCLUDED)
    throw new RangeError(`at most ${MAX_EXCLUDED} processes can be left out`);
  const out: Insn[] = [call('get_current_pid_tgid'), rsh64('r0', 32)];
  if (f.tgid !== undefined) out.push(jne64('r0', f.tgid, skip));
  for (const t of exclude) out.push(jeq64('r0', t, skip));
  return out;
}
