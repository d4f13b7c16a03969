/**
 * Byte offsets of registers in the kernel's `struct pt_regs`, which is the
 * context a BPF kprobe or uprobe program receives. The per-arch tables live in
 * `ArchInfo.ptRegsOffsets`; this file holds the builder they use and the lookup.
 */
import type { ArchInfo } from './types.js';

/**
 * Lays out consecutive `width`-byte pt_regs members from `base`, in the order the
 * kernel header declares them: `ptRegsLayout(8, ['a', null, 'b'])` →
 * `{ a: 0, b: 16 }`. A `null` entry is a member tracefs has no name for
 * (e.g. powerpc's `orig_gpr3`); it still takes its slot.
 */
export function ptRegsLayout(
  width: 4 | 8,
  members: readonly (string | null)[],
  base = 0,
): Record<string, number> {
  const out: Record<string, number> = {};
  members.forEach((m, i) => {
    if (m !== null) out[m] = base + i * width;
  });
  return out;
}

/** Width in bytes of one pt_regs register slot (`unsigned long`) on `arch`. */
export function ptRegsWidth(arch: ArchInfo): 4 | 8 {
  return arch.bits === 64 ? 8 : 4;
}

/**
 * The byte offset of tracefs register `reg` (with or without the `%`) in
 * `struct pt_regs` on `arch`, or null when the kernel has no such register name.
 */
export function ptRegsOffset(arch: ArchInfo, reg: string): number | null {
  const name = reg.startsWith('%') ? reg.slice(1) : reg;
  return Object.hasOwn(arch.ptRegsOffsets, name) ? (arch.ptRegsOffsets[name] ?? null) : null;
}
