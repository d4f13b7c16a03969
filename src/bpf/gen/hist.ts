/**
 * A log2 histogram of a context value in a per-CPU array map. Bucket 0 holds
 * zeros, bucket k (1..64) holds values in [2^(k-1), 2^k). Values are taken as
 * unsigned 64-bit.
 *
 * Stack: fp-8 the bucket index (u32).
 */
import { add64, atomic, call, jeq64, label, ldMapFd, mov64, rsh64, st } from '../insn/builder.js';
import type { Insn } from '../insn/types.js';
import type { CtxScalar } from './context.js';
import { processFilter } from './process.js';
import { loadScalar, returnZero } from './snippets.js';

export const LOG2_BUCKETS = 65;

export interface HistProgramOptions {
  readonly mapFd: number;
  readonly value: CtxScalar;
  readonly tgid?: number;
}

/** r2 = floor(log2(r1)) + 1 for r1 > 0, 0 for r1 = 0. Clobbers r1, r3. */
export function log2Bucket(): Insn[] {
  const out: Insn[] = [mov64('r2', 0), jeq64('r1', 0, 'log2_done'), mov64('r2', 1)];
  for (const bits of [32, 16, 8, 4, 2, 1]) {
    out.push(
      mov64('r3', 'r1'),
      rsh64('r3', bits),
      jeq64('r3', 0, `log2_${bits}`),
      mov64('r1', 'r3'),
      add64('r2', bits),
      label(`log2_${bits}`),
    );
  }
  out.push(label('log2_done'));
  return out;
}

/** Bucket → [low, high) bounds; bucket 0 is [0, 1). */
export function bucketRange(k: number): [bigint, bigint] {
  if (k === 0) return [0n, 1n];
  return [1n << BigInt(k - 1), 1n << BigInt(k)];
}

/** The bucket a value falls in (the same rule as the program). */
export function bucketOf(v: bigint): number {
  let k = 0;
  let x = BigInt.asUintN(64, v);
  while (x > 0n) {
    k++;
    x >>= 1n;
  }
  return k;
}

export function histProgram(o: HistProgramOptions): Insn[] {
  return [
    mov64('r6', 'r1'),
    ...processFilter({ tgid: o.tgid }, 'out'),
    ...loadScalar('r1', 'r6', o.value),
    ...log2Bucket(),
    st(4, 'r10', -8, 'r2'),
    ldMapFd('r1', o.mapFd),
    mov64('r2', 'r10'),
    add64('r2', -8),
    call('map_lookup_elem'),
    jeq64('r0', 0, 'out'),
    mov64('r1', 1),
    atomic('add', 8, 'r0', 0, 'r1'),
    label('out'),
    ...returnZero(),
  ];
}
