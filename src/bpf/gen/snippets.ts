/** Instruction sequences shared by the generators. Each notes which registers it clobbers. */
import { alu64, ldx, ldxs, mov64, type RegName } from '../insn/builder.js';
import type { Insn } from '../insn/types.js';
import type { CtxScalar } from './context.js';

/** dst = ctx scalar (ctx in `ctx`), sign-extended when the field is signed. */
export function loadScalar(dst: RegName, ctx: RegName, s: CtxScalar): Insn[] {
  if (s.size === 8) return [ldx(8, dst, ctx, s.offset)];
  if (!s.signed) return [ldx(s.size, dst, ctx, s.offset)];
  // Unsigned load then shift left/right arithmetic: works on every kernel (MEMSX needs 6.6).
  const shift = 64 - s.size * 8;
  return [ldx(s.size, dst, ctx, s.offset), alu64('lsh', dst, shift), alu64('arsh', dst, shift)];
}

/** Same as loadScalar using a sign-extending load (kernels with cpu v4 instructions). */
export function loadScalarSx(dst: RegName, ctx: RegName, s: CtxScalar): Insn[] {
  if (s.size === 8 || !s.signed) return loadScalar(dst, ctx, s);
  return [ldxs(s.size, dst, ctx, s.offset)];
}

/** r0 = 0; exit */
export function returnZero(): Insn[] {
  return [mov64('r0', 0), { kind: 'exit' }];
}
