/**
 * The architecture tables and how to look them up by the names people type.
 */
import { endianness } from 'node:os';
import { UsageError } from '../errors.js';
import { arm } from './arm.js';
import { arm64 } from './arm64.js';
import { i386 } from './i386.js';
import { loongarch64 } from './loongarch64.js';
import { mips64 } from './mips64.js';
import { powerpc64, powerpc64le } from './powerpc64.js';
import { riscv64 } from './riscv64.js';
import { s390x } from './s390x.js';
import type { ArchInfo, ArchName, ArgLocation } from './types.js';
import { x86_64 } from './x86_64.js';

export { ptRegsOffset, ptRegsWidth } from './pt-regs.js';
export type { ArchInfo, ArchName, ArgLocation, CallingConvention } from './types.js';
export { compactRegisterList } from './util.js';

/** Every supported architecture, in the order explain shows them. */
export const ARCHES: Readonly<Record<ArchName, ArchInfo>> = {
  x86_64,
  i386,
  arm64,
  arm,
  riscv64,
  s390x,
  powerpc64le,
  powerpc64,
  loongarch64,
  mips64,
};

export const ARCH_NAMES = Object.keys(ARCHES) as ArchName[];

export function getArch(name: ArchName): ArchInfo {
  return ARCHES[name];
}

/** Node's `process.arch` names that differ from ours. */
const NODE_ARCH: Readonly<Record<string, ArchName>> = {
  x64: 'x86_64',
  ia32: 'i386',
  arm64: 'arm64',
  arm: 'arm',
  s390x: 's390x',
  riscv64: 'riscv64',
  loong64: 'loongarch64',
  mips64el: 'mips64',
};

/** Finds an architecture by its name or any alias (uname -m, Debian, Node). */
export function resolveArch(nameOrAlias: string): ArchInfo {
  const key = nameOrAlias.trim().toLowerCase();
  for (const info of Object.values(ARCHES)) {
    if (info.name === key || info.aliases.includes(key)) return info;
  }
  const node = NODE_ARCH[key];
  if (node) return ARCHES[node];
  throw new UsageError('E_UNKNOWN_ARCH', `unknown architecture '${nameOrAlias}'`, {
    hint: `known architectures: ${ARCH_NAMES.join(', ')} (uname -m names such as aarch64 or ppc64le work too)`,
    details: { arch: nameOrAlias },
  });
}

/** The architecture this Node process runs on. */
export function hostArch(): ArchInfo {
  // process.arch says `ppc64` for both byte orders; uname -m would say ppc64le.
  if (process.arch === 'ppc64') return ARCHES[endianness() === 'LE' ? 'powerpc64le' : 'powerpc64'];
  return resolveArch(process.arch);
}

/** How explain names a register: tracefs spelling, pt_regs member, assembler name. */
export function describeRegister(
  arch: ArchInfo,
  reg: string,
): { register: string; ptRegs: string; asm: string } {
  const asm = arch.asmNames[reg] ?? reg;
  const member = arch.ptRegsMember[asm] ?? arch.ptRegsMember[reg] ?? reg;
  return { register: `%${reg}`, ptRegs: `regs->${member}`, asm };
}

export type RegisterCheck =
  | { readonly ok: true; readonly reg: string }
  | { readonly ok: false; readonly suggestion: string | null; readonly hint: string };

/** Checks a register name (without `%`) against what tracefs accepts on `arch`. */
export function checkRegister(arch: ArchInfo, reg: string): RegisterCheck {
  if (arch.registers.includes(reg)) return { ok: true, reg };
  const lower = reg.toLowerCase();
  const suggestion =
    arch.asmAliases[reg] ??
    arch.asmAliases[lower] ??
    (arch.registers.includes(lower) ? lower : null) ??
    arch.registers.find((r) => r.toLowerCase() === lower) ??
    null;
  if (suggestion !== null) {
    return { ok: false, suggestion, hint: `${arch.registerHint}: write %${suggestion}` };
  }
  const args = arch.kernel.argRegs.map((r) => `%${r}`).join(' ');
  return {
    ok: false,
    suggestion: null,
    hint: `${arch.registerHint}; the kernel passes integer arguments in ${args}`,
  };
}

/** Where integer argument `n` (1-based) is at function entry, for the kernel or user ABI. */
export function argLocation(arch: ArchInfo, side: 'kernel' | 'user', n: number): ArgLocation {
  const conv = arch[side];
  const reg = conv.argRegs[n - 1];
  if (reg !== undefined) {
    const d = describeRegister(arch, reg);
    return { kind: 'reg', reg, ptRegs: d.ptRegs, asm: d.asm };
  }
  if (conv.stackArg) return { kind: 'stack', ...conv.stackArg(n) };
  return {
    kind: 'none',
    reason:
      conv.stackArgRefusal ??
      `${arch.name} passes only ${conv.argRegs.length} arguments in registers`,
  };
}
