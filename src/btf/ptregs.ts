/**
 * Syscall wrappers and `struct pt_regs`. On x86_64 (and arm64, s390, riscv)
 * `__x64_sys_openat(const struct pt_regs *regs)` receives the user registers;
 * the syscall's own arguments are read through that pointer, e.g.
 * `+112(%di)` for `regs->di`. The offsets come from BTF, not from a table.
 */
import type { FunctionPrototype } from '../plan/types.js';
import type { Btf } from './btf.js';
import { btfCorrupt } from './errors.js';
import { completeComposite, Walk } from './resolve.js';
import type { BtfComposite } from './types.js';

const PT_REGS_PARAM = /^(const )?struct pt_regs \*$/;

/** Whether a function takes exactly one `(const) struct pt_regs *`, like `__x64_sys_openat`. */
export function isPtRegsWrapper(proto: FunctionPrototype): boolean {
  return proto.params.length === 1 && PT_REGS_PARAM.test(proto.params[0]!.type);
}

/** The complete `struct pt_regs` id, or undefined when this BTF has none. */
export function ptRegsTypeId(btf: Btf): number | undefined {
  const id = btf.findTypes('pt_regs', 'STRUCT')[0];
  return id === undefined ? undefined : completeComposite(btf, id);
}

/**
 * Byte offset of every `struct pt_regs` member by name (anonymous unions
 * flattened, so `cs` and `csx` both appear), e.g. `{ di: 112, si: 104, ... }` on x86_64.
 */
export function ptRegsOffsets(btf: Btf): Record<string, number> {
  const id = ptRegsTypeId(btf);
  if (id === undefined) {
    throw btfCorrupt('E_BTF_BAD_TYPE', 'has no struct pt_regs', { source: btf.source });
  }
  const out: Record<string, number> = {};
  collect(btf, id, 0, out, new Walk(btf, id, 'listing pt_regs members'), 0);
  return out;
}

function collect(
  btf: Btf,
  id: number,
  base: number,
  out: Record<string, number>,
  walk: Walk,
  depth: number,
): void {
  walk.enter(depth);
  for (const m of (btf.type(id) as BtfComposite).members) {
    if (m.bitfieldSize > 0) continue;
    const offset = base + Math.floor(m.bitOffset / 8);
    if (m.name !== '') {
      if (!(m.name in out)) out[m.name] = offset;
      continue;
    }
    const inner = completeComposite(btf, m.type);
    const k = btf.kindOf(inner);
    if (k === 'STRUCT' || k === 'UNION') collect(btf, inner, offset, out, walk, depth + 1);
  }
}

/** Byte offset of one pt_regs member (`di` → 112 on x86_64), or undefined. */
export function ptRegsOffset(btf: Btf, member: string): number | undefined {
  return ptRegsOffsets(btf)[member];
}
