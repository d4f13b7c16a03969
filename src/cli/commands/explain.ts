/**
 * `probekit explain`: which register carries each argument, and the exact lines a
 * run would write, for this or any architecture. Writes nothing; imports only the
 * pure parser, arch tables and planner so it starts fast, and loads BTF (through a
 * dynamic import) only for kernel functions on this machine's architecture.
 */
import { ARCH_NAMES, getArch, hostArch, resolveArch } from '../../arch/index.js';
import type { ArchName } from '../../arch/types.js';
import { isProbekitError, type ProbekitError, UsageError } from '../../errors.js';
import { FULL_FEATURES, plan, planToJSON, stringifyPlanData } from '../../plan/index.js';
import type {
  PlannedArg,
  PlannedProbe,
  PlanOptions,
  ProbePlan,
  SyscallArgs,
} from '../../plan/types.js';
import { parseProbe } from '../../spec/index.js';
import type { ProbeSpec } from '../../spec/types.js';
import { parseCommandArgs } from '../args.js';
import type { CommandIO } from '../command.js';

/** A fixed group so the output is the same on every run; real runs use probekit_<pid>_<random>. */
export const EXPLAIN_GROUP = 'probekit_explain';

export const usage = `probekit explain: show which register carries each argument and the exact tracefs lines, writing nothing

USAGE
  probekit explain SPEC... [--arch ARCH|all] [--no-btf] [--json]

OPTIONS
  --arch ARCH     # plan for this architecture (default: this machine's): ${ARCH_NAMES.join(', ')};
                  # uname -m names work too (aarch64, ppc64le, i686, loongarch64, mips64)
  --arch all      # every architecture side by side: argument x arch -> what is fetched
  --no-btf        # do not read the kernel's BTF: names are matched by position
  --json          # the same as data (bigints as strings)
  -h, --help      # this text

WHAT IT SHOWS
  For each argument: its position, the register (tracefs name, pt_regs member,
  assembler name) or stack slot that carries it, and the fetch written to tracefs;
  then the definition line, the file it is appended to, the removal line and the
  filter. The group is always '${EXPLAIN_GROUP}' so the output is reproducible;
  real runs use probekit_<pid>_<random>. Kernel features are assumed present
  (except BTF argument names).

  For a kernel function on this machine's architecture, explain reads the
  kernel's BTF (/sys/kernel/btf/vmlinux) as a run does: it prints the C
  prototype, matches argument names to parameters in any order, types them,
  resolves member paths (file->f_path.dentry) to offsets, and reads the
  arguments of a pt_regs syscall wrapper (__x64_sys_openat) by name. With
  --arch for another architecture, --arch all, --no-btf, or without BTF,
  names are taken by position. User-space functions (u:, ur:) have no BTF:
  their arguments are always positional and untyped. A uprobe on a symbol
  shows PATH:SYMBOL where a run writes the file offset found in the ELF
  symbol table.

EXAMPLES
  probekit explain 'k:do_sys_open(dfd, filename:string, flags, mode)'
  probekit explain 'k:do_sys_open(dfd, filename:string, flags, mode)' --arch arm64
  probekit explain 'k:do_sys_open(dfd, filename:string)' --arch all   # every ABI at once
  probekit explain 'k:vfs_read(file->f_path.dentry->d_name.name, count)'   # BTF offsets
  probekit explain 'k:__x64_sys_openat(dfd, filename)'  # syscall args through pt_regs
  probekit explain 'kr:do_sys_open(retval:s64)' 'k:vfs_read(file, buf, count) if count > 4096'
  probekit explain 'p:mygrp/myev do_sys_open dfd=%di' --json            # raw kernel lines too
`;

function ordinal(n: number): string {
  const tens = n % 100;
  if (tens >= 11 && tens <= 13) return `${n}th`;
  return `${n}${(['th', 'st', 'nd', 'rd'] as const)[n % 10] ?? 'th'}`;
}

function table(rows: readonly (readonly string[])[], indent: string): string[] {
  const widths: number[] = [];
  for (const r of rows) {
    r.forEach((c, i) => {
      widths[i] = Math.max(widths[i] ?? 0, c.length);
    });
  }
  return rows.map((r) =>
    `${indent}${r.map((c, i) => (i === r.length - 1 ? c : c.padEnd(widths[i] ?? 0))).join('  ')}`.trimEnd(),
  );
}

function kindText(p: PlannedProbe): string {
  const t = p.spec.target;
  const where =
    t.kind === 'tracepoint'
      ? `${t.group}:${t.event}`
      : (t.symbol ?? (t.kind === 'kernel' ? `0x${(t.address ?? 0n).toString(16)}` : t.path));
  return `${p.kind} on ${where}`;
}

function carrier(a: PlannedArg): string {
  if (a.fetch.includes('$retval')) return 'return value';
  if (a.position === null) return a.register ? 'register' : '-';
  if (a.register === null && a.ptRegs !== null) return `syscall arg ${a.position}`;
  return `${ordinal(a.position)} argument`;
}

/** What explain knows about kernel prototypes: the C text per function, or why it has none. */
export interface PrototypeInfo {
  /** `ssize_t vfs_read(...)` by function name (null: BTF has no such function). */
  readonly render: (func: string) => string | null;
  /** The syscall a pt_regs wrapper reads, with its argument names, when known. */
  readonly syscall: (func: string) => { name: string; args: readonly string[] } | null;
}

function prototypeLines(p: PlannedProbe, protos: PrototypeInfo | string): string[] {
  const t = p.spec.target;
  if (t.kind === 'user') {
    return [
      '  user-space function: no BTF, so arguments are taken by position and read untyped (give :TYPE)',
    ];
  }
  if (t.kind !== 'kernel' || t.symbol === null || p.spec.syntax === 'raw') return [];
  if (typeof protos === 'string')
    return [`  prototype not read (${protos}): names are taken by position`];
  const text = protos.render(t.symbol);
  if (text === null) {
    return [
      `  BTF has no function ${t.symbol} (inlined or not a function): names are taken by position`,
    ];
  }
  const out = [`  ${text};`];
  const sys = protos.syscall(t.symbol);
  if (sys) {
    out.push(
      `  a syscall wrapper: the arguments of syscall ${sys.name} (${sys.args.join(', ')}) are read through its struct pt_regs *`,
    );
  }
  return out;
}

function renderProbe(
  p: PlannedProbe,
  archName: ArchName,
  protos: PrototypeInfo | string,
): string[] {
  const side =
    p.spec.target.kind === 'user' ? 'user-space calling convention' : 'kernel calling convention';
  const out = [
    p.spec.text,
    `  ${kindText(p)}, ${archName}${p.spec.target.kind === 'tracepoint' ? '' : `, ${side}`}`,
    ...prototypeLines(p, protos),
  ];
  if (p.args.length > 0) {
    const rows = [['ARG', 'WHAT', 'REGISTER', 'PT_REGS', 'ASM', 'FETCH']];
    for (const a of p.args)
      rows.push([a.name, carrier(a), a.register ?? '-', a.ptRegs ?? '-', a.asm ?? '-', a.fetch]);
    out.push(...table(rows, '  '));
  }
  const notes = new Map<string, string[]>();
  for (const a of p.args) for (const n of a.notes) notes.set(n, [...(notes.get(n) ?? []), a.name]);
  if (notes.size > 0 || p.notes.length > 0) {
    out.push('  notes:');
    for (const [n, names] of notes) out.push(`    ${names.join(', ')}: ${n}`);
    for (const n of p.notes) out.push(`    ${n}`);
  }
  if (p.definition !== null) {
    out.push(`  append to ${p.file}:`, `    ${p.definition}`);
    out.push(`  remove with (append to ${p.file}):`, `    ${p.removal}`);
  }
  if (p.filter !== null)
    out.push(`  filter (${p.files.find((f) => f.endsWith('/filter'))}):`, `    ${p.filter}`);
  const enable = p.files.find((f) => f.endsWith('/enable'));
  if (enable) out.push(`  enable: ${enable}`);
  return out;
}

function planFor(
  specs: readonly ProbeSpec[],
  arch: ArchName,
  hooks: Partial<PlanOptions> = {},
): ProbePlan {
  return plan(specs, {
    arch,
    features: FULL_FEATURES,
    group: EXPLAIN_GROUP,
    userPlaceholders: true,
    ...hooks,
  });
}

/** Default tracefs mount points, for the syscall tracepoints' formats (readable as root). */
const TRACEFS_PATHS = ['/sys/kernel/tracing', '/sys/kernel/debug/tracing'] as const;

/**
 * BTF hooks and prototype texts for kernel functions on this machine, or the
 * reason there are none. BTF is loaded only when a spec names a kernel function.
 */
async function kernelPrototypes(
  specs: readonly ProbeSpec[],
  arch: ArchName,
  noBtf: boolean,
): Promise<{ hooks: Partial<PlanOptions>; info: PrototypeInfo | string }> {
  const wantsKernel = specs.some(
    (s) => s.target.kind === 'kernel' && s.target.symbol !== null && s.syntax === 'probekit',
  );
  if (!wantsKernel) return { hooks: {}, info: 'no kernel function' };
  if (noBtf) return { hooks: {}, info: '--no-btf' };
  if (arch !== hostArch().name)
    return { hooks: {}, info: `BTF describes this ${hostArch().name} kernel, not ${arch}` };
  const api = await import('../../api/prototypes.js');
  if (!api.hasKernelBtf()) return { hooks: {}, info: 'no /sys/kernel/btf/vmlinux on this kernel' };
  const { loadKernelBtf } = await import('../../btf/index.js');
  const btf = loadKernelBtf();
  const symbols = api.kernelSymbols(specs);
  let syscalls = new Map<string, SyscallArgs>();
  for (const root of TRACEFS_PATHS) {
    syscalls = await api.syscallArgsFor(btf, symbols, arch, root);
    if (syscalls.size > 0) break;
  }
  return {
    hooks: api.btfPlanHooks(btf, syscalls),
    info: {
      render: (func) => api.renderKernelPrototype(btf, func),
      syscall: (func) => {
        const s = syscalls.get(func);
        return s ? { name: s.syscall, args: s.params.map((p) => p.name) } : null;
      },
    },
  };
}

type ArchResult =
  | { readonly arch: ArchName; readonly plan: ProbePlan }
  | { readonly arch: ArchName; readonly error: ProbekitError };

function planAll(specs: readonly ProbeSpec[]): ArchResult[] {
  return ARCH_NAMES.map((arch) => {
    try {
      return { arch, plan: planFor(specs, arch) };
    } catch (e) {
      if (!isProbekitError(e)) throw e;
      return { arch, error: e };
    }
  });
}

function renderAll(specs: readonly ProbeSpec[], results: readonly ArchResult[]): string[] {
  const out: string[] = [];
  specs.forEach((spec, i) => {
    if (i > 0) out.push('');
    out.push(spec.text);
    const ok = results.find((r) => 'plan' in r);
    const argNames = ok && 'plan' in ok ? (ok.plan.probes[i]?.args.map((a) => a.name) ?? []) : [];
    const rows = [['ARCH', ...argNames]];
    for (const r of results) {
      if ('plan' in r) rows.push([r.arch, ...(r.plan.probes[i]?.args.map((a) => a.fetch) ?? [])]);
      else rows.push([r.arch, `refused: ${r.error.code}`]);
    }
    out.push(...table(rows, '  '));
    const lines = results.flatMap((r) =>
      'plan' in r
        ? [[r.arch, r.plan.probes[i]?.definition ?? '(tracepoint: nothing to define)']]
        : [],
    );
    out.push('  definitions:', ...table(lines, '    '));
    const first = ok && 'plan' in ok ? ok.plan.probes[i] : undefined;
    if (first?.removal) out.push(`  remove with: ${first.removal}`);
    if (first?.filter) out.push(`  filter: ${first.filter}`);
  });
  const refusals = results.filter(
    (r): r is Extract<ArchResult, { error: ProbekitError }> => 'error' in r,
  );
  if (refusals.length > 0) {
    out.push('', 'refused:');
    for (const r of refusals) {
      out.push(`  ${r.arch}: ${r.error.message}`);
      if (r.error.hint) out.push(`    hint: ${r.error.hint}`);
    }
  }
  return out;
}

export async function run(argv: readonly string[], io: CommandIO): Promise<number> {
  const { values, positionals } = parseCommandArgs('explain', argv, {
    arch: { type: 'string' },
    json: { type: 'boolean' },
    verbose: { type: 'boolean', short: 'v' },
    'no-btf': { type: 'boolean' },
  });
  if (positionals.length === 0) {
    throw new UsageError('E_USAGE', 'probekit explain: give at least one probe spec', {
      hint: "e.g. probekit explain 'k:do_sys_open(dfd, filename:string)'; run 'probekit explain --help' for more",
    });
  }
  const archArg = typeof values['arch'] === 'string' ? values['arch'] : undefined;
  const specs = positionals.map((text) => parseProbe(text));
  if (archArg === 'all') {
    const results = planAll(specs);
    // Refused everywhere: the spec itself is at fault; show why, and fail.
    const failed = results.every((r) => 'error' in r) ? 2 : 0;
    if (values['json']) {
      const data = results.map((r) =>
        'plan' in r ? planToJSON(r.plan) : { arch: r.arch, error: r.error.toJSON() },
      );
      io.stdout.write(`${stringifyPlanData({ arches: data })}\n`);
    } else {
      io.stdout.write(`${renderAll(specs, results).join('\n')}\n`);
    }
    return failed;
  }
  const arch = archArg === undefined ? hostArch() : resolveArch(archArg);
  const archName = getArch(arch.name).name;
  const protos = await kernelPrototypes(specs, archName, values['no-btf'] === true);
  const result = planFor(specs, archName, protos.hooks);
  if (values['json']) {
    io.stdout.write(`${stringifyPlanData(planToJSON(result))}\n`);
    return 0;
  }
  const out: string[] = [];
  result.probes.forEach((p, i) => {
    if (i > 0) out.push('');
    out.push(...renderProbe(p, result.arch, protos.info));
  });
  io.stdout.write(`${out.join('\n')}\n`);
  return 0;
}
