/**
 * BTF for the planner: kernel function prototypes, member paths, and the
 * syscall arguments behind pt_regs wrappers. The planner is pure; these hooks
 * are what `prepare` (and `explain`) hand it. BTF is read only when a probe
 * names a kernel function and /sys/kernel/btf/vmlinux exists.
 */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import type { ArchName } from '../arch/types.js';
import {
  type Btf,
  isPtRegsWrapper,
  KERNEL_BTF_DIR,
  loadKernelBtf,
  prototypeResolver,
  ptRegsOffsets,
} from '../btf/index.js';
import { isSigned, sizeOf } from '../btf/resolve.js';
import { SYSCALL_WRAPPER_PREFIX } from '../kernel/syscalls.js';
import { readTracepointFields, type TracepointField } from '../kernel/tracepoints.js';
import type { FunctionParam, PlanOptions, SyscallArgs } from '../plan/types.js';
import type { ProbeSpec } from '../spec/types.js';

export type BtfPlanHooks = Pick<PlanOptions, 'prototype' | 'resolveMember' | 'syscallArgs'>;

/** Whether this machine's kernel publishes BTF. */
export function hasKernelBtf(dir: string = KERNEL_BTF_DIR): boolean {
  return existsSync(join(dir, 'vmlinux'));
}

/** Kernel function names the specs probe (module functions included by name). */
export function kernelSymbols(specs: readonly ProbeSpec[]): string[] {
  const out = new Set<string>();
  for (const s of specs) {
    if (s.target.kind === 'kernel' && s.target.symbol !== null && s.syntax === 'probekit')
      out.add(s.target.symbol);
  }
  return [...out];
}

const STRING_TYPE = /^(const )?(unsigned |signed )?char \*$/;

/** Size and signedness of a named C type (`int`, `umode_t`) from BTF, or undefined. */
function namedType(btf: Btf, name: string): { size: number; signed: boolean } | undefined {
  const clean = name.replace(/\b(const|volatile)\b/g, '').trim();
  const id = btf.findTypes(clean, 'TYPEDEF')[0] ?? btf.findTypes(clean, 'INT')[0];
  if (id === undefined) return undefined;
  const size = sizeOf(btf, id);
  return size > 0 ? { size, signed: isSigned(btf, id) } : undefined;
}

/**
 * A syscall's arguments from its `sys_enter_*` format fields (after
 * `__syscall_nr`). Pointer arguments of a syscall are user memory.
 */
export function syscallParams(
  btf: Btf | null,
  fields: readonly TracepointField[],
): FunctionParam[] {
  return fields
    .filter((f) => !f.common && f.name !== '__syscall_nr')
    .map((f) => {
      const type = f.type.trim();
      const isPointer = type.includes('*');
      const named = isPointer || btf === null ? undefined : namedType(btf, type);
      return {
        name: f.name,
        type,
        isString: STRING_TYPE.test(type),
        isUserPtr: isPointer,
        size: named?.size ?? f.size,
        signed: named?.signed ?? f.signed,
        isPointer,
      };
    });
}

/** The syscall behind a pt_regs wrapper (`__x64_sys_openat` → `openat`), or null. */
export function wrappedSyscall(func: string, arch: ArchName): string | null {
  const prefix = SYSCALL_WRAPPER_PREFIX[arch];
  if (prefix === 'sys_' || !func.startsWith(prefix) || func.length === prefix.length) return null;
  return func.slice(prefix.length);
}

/** Syscall arguments for each pt_regs wrapper among `symbols`, read from tracefs. */
export async function syscallArgsFor(
  btf: Btf,
  symbols: readonly string[],
  arch: ArchName,
  tracefsRoot: string,
): Promise<Map<string, SyscallArgs>> {
  const out = new Map<string, SyscallArgs>();
  const prototype = prototypeResolver(btf);
  let ptRegs: Record<string, number> | null | undefined;
  for (const func of symbols) {
    const proto = prototype(func);
    const syscall = wrappedSyscall(func, arch);
    if (!proto || !isPtRegsWrapper(proto) || syscall === null) continue;
    const fields = await readTracepointFields(tracefsRoot, 'syscalls', `sys_enter_${syscall}`);
    if (!fields) continue;
    if (ptRegs === undefined) {
      try {
        ptRegs = ptRegsOffsets(btf);
      } catch {
        ptRegs = null;
      }
    }
    if (ptRegs === null) continue;
    out.set(func, { syscall, params: syscallParams(btf, fields), ptRegs });
  }
  return out;
}

/** The planner hooks for one BTF, with syscall arguments already gathered. */
export function btfPlanHooks(
  btf: Btf,
  syscalls: ReadonlyMap<string, SyscallArgs> = new Map(),
): BtfPlanHooks {
  return {
    prototype: prototypeResolver(btf),
    resolveMember: (rootTypeId, path) => btf.resolveMemberPath(rootTypeId, path),
    syscallArgs: (func) => syscalls.get(func) ?? null,
  };
}

export interface KernelHookOptions {
  readonly arch: ArchName;
  /** tracefs root, for the syscall tracepoints' formats. */
  readonly tracefs: string | null;
  /** BTF directory (tests). */
  readonly btfDir?: string;
}

/**
 * Hooks for planning `specs` on this machine: empty when no spec names a
 * kernel function or the kernel has no BTF (then names are taken by position).
 */
export async function kernelPlanHooks(
  specs: readonly ProbeSpec[],
  options: KernelHookOptions,
): Promise<BtfPlanHooks> {
  const symbols = kernelSymbols(specs);
  const dir = options.btfDir ?? KERNEL_BTF_DIR;
  if (symbols.length === 0 || !hasKernelBtf(dir)) return {};
  const btf = loadKernelBtf({ dir });
  const syscalls =
    options.tracefs === null
      ? new Map<string, SyscallArgs>()
      : await syscallArgsFor(btf, symbols, options.arch, options.tracefs);
  return btfPlanHooks(btf, syscalls);
}

/** `ssize_t vfs_read(struct file *file, ...)`, or null when BTF does not know the function. */
export function renderKernelPrototype(btf: Btf, func: string): string | null {
  return btf.findFunction(func) === undefined ? null : btf.renderPrototype(func);
}
