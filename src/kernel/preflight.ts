/**
 * Preflight for kernel function probes: before writing a kprobe line, check
 * what the kernel would refuse and say why, with what to try instead.
 * Pure: works on gathered facts (see facts.ts), so fixtures can drive it.
 */
import type { ArchName } from '../arch/types.js';
import { nearNames } from '../util/names.js';
import type { BlacklistResult } from './blacklist.js';
import { PreflightError } from './errors.js';
import type { KernelFeatures } from './features.js';
import { isTextSymbol, type Kallsyms, type KallsymsEntry } from './kallsyms.js';
import { KPROBE_ALTERNATIVES } from './missing.js';
import { SYSCALL_WRAPPER_PREFIX, syscallNamesFor } from './syscalls.js';
import type { TraceableFunctions } from './traceable.js';

export interface FunctionFacts {
  readonly features: Pick<KernelFeatures, 'kprobes' | 'kretprobes' | 'fprobe' | 'kprobesMissing'>;
  readonly kallsyms: Kallsyms;
  readonly traceable: TraceableFunctions;
  readonly blacklist: BlacklistResult;
  readonly arch: ArchName | null;
  /** Event names under `events/syscalls` (`sys_enter_openat`, ...), for suggestions. */
  readonly syscallEvents: ReadonlySet<string>;
}

export type FunctionProbeKind = 'kprobe' | 'kretprobe' | 'fprobe';

export interface FunctionPreflight {
  readonly name: string;
  /** Function address; 0n when kallsyms hides addresses. */
  readonly address: bigint;
  readonly module: string | null;
  readonly type: string;
  /** Things worth knowing that do not block the probe. */
  readonly notes: readonly string[];
}

/** Compiler-made copies of a function: `foo.isra.0`, `foo.constprop.0`, `foo.part.0`, `foo.cold`. */
export function cloneNames(name: string, kallsyms: Kallsyms): string[] {
  const out: string[] = [];
  const prefix = `${name}.`;
  for (const n of kallsyms.functionNames()) if (n.startsWith(prefix)) out.push(n);
  return out.sort(
    (a, b) => Number(a.endsWith('.cold')) - Number(b.endsWith('.cold')) || a.localeCompare(b),
  );
}

/** Syscall wrappers and tracepoints for a syscall-style name that exist on this kernel. */
export function syscallAlternatives(
  name: string,
  facts: Pick<FunctionFacts, 'kallsyms' | 'arch' | 'syscallEvents'>,
  kind: FunctionProbeKind = 'kprobe',
): { wrappers: string[]; tracepoints: string[] } {
  const wrappers: string[] = [];
  const tracepoints: string[] = [];
  const prefix = facts.arch ? SYSCALL_WRAPPER_PREFIX[facts.arch] : null;
  for (const sc of syscallNamesFor(name)) {
    const wrapper = prefix ? `${prefix}${sc}` : null;
    if (wrapper && wrapper !== name && facts.kallsyms.functions(wrapper).length > 0)
      wrappers.push(wrapper);
    const ev = `${kind === 'kretprobe' ? 'sys_exit_' : 'sys_enter_'}${sc}`;
    if (facts.syscallEvents.has(ev)) tracepoints.push(`t:syscalls:${ev}`);
  }
  return { wrappers, tracepoints };
}

function hex(a: bigint): string {
  return `0x${a.toString(16)}`;
}

function describe(e: KallsymsEntry): string {
  return `${hex(e.address)} ${e.type} ${e.name}${e.module ? ` [${e.module}]` : ''}`;
}

function noKprobes(name: string, kind: FunctionProbeKind, facts: FunctionFacts): PreflightError {
  const { tracepoints } = syscallAlternatives(name, facts, kind);
  const reason = facts.features.kprobesMissing ?? 'this kernel has no kprobe_events in tracefs';
  return new PreflightError('E_NO_KPROBES', `kprobes are not available: ${reason}`, {
    hint:
      tracepoints.length > 0
        ? `use the tracepoint ${tracepoints.join(' or ')} instead of ${name}, or uprobes (u:PATH:SYMBOL) in user space`
        : KPROBE_ALTERNATIVES,
    suggestions: tracepoints,
    details: { feature: 'kprobes', function: name },
  });
}

function notFound(
  name: string,
  module: string | null,
  kind: FunctionProbeKind,
  facts: FunctionFacts,
): PreflightError {
  const other = facts.kallsyms.lookup(name);
  if (module !== null && other.some(isTextSymbol)) {
    const where = [...new Set(other.map((e) => e.module ?? 'vmlinux'))];
    return new PreflightError('E_NO_SUCH_FUNCTION', `no function ${name} in module ${module}`, {
      hint: `${name} is in ${where.join(', ')}`,
      suggestions: other.filter((e) => e.module !== null).map((e) => `k:${e.module}:${name}`),
      details: { function: name, module },
    });
  }
  if (other.length > 0 && !other.some(isTextSymbol)) {
    return new PreflightError(
      'E_NOT_A_FUNCTION',
      `${name} is not a function (kallsyms type '${other[0]?.type}')`,
      {
        hint: 'probe a code symbol; data symbols can be read with @SYM in a fetch argument',
        details: { function: name },
      },
    );
  }
  const clones = cloneNames(name, facts.kallsyms);
  const { wrappers, tracepoints } = syscallAlternatives(name, facts, kind);
  const letter = kind === 'kretprobe' ? 'kr' : kind === 'fprobe' ? 'f' : 'k';
  const near = nearNames(name, facts.kallsyms.functionNames(), 5).filter(
    (n) => !clones.includes(n) && !wrappers.includes(n),
  );
  const suggestions = [
    ...clones.filter((c) => !c.endsWith('.cold')).map((c) => `${letter}:${c}`),
    ...wrappers.map((w) => `${letter}:${w}`),
    ...tracepoints,
    ...near.map((n) => `${letter}:${n}`),
  ];
  let hint: string;
  if (clones.length > 0) {
    hint = `the compiler made ${clones.join(', ')}: probe the suffixed name (its arguments may be reordered or removed, so $argN can be wrong)`;
  } else if (wrappers.length > 0 || tracepoints.length > 0) {
    hint = `syscalls enter through ${[...wrappers, ...tracepoints].join(', ')}`;
  } else if (near.length > 0) {
    hint = `did you mean ${near.join(', ')}?`;
  } else {
    hint =
      'it may be inlined everywhere or in a module that is not loaded; search with: probekit list PATTERN';
  }
  return new PreflightError('E_NO_SUCH_FUNCTION', `no kernel function named ${name} in kallsyms`, {
    hint,
    suggestions,
    details: { function: name, clones, near },
  });
}

/**
 * Checks that `name` (optionally `MODULE:name`) can carry a probe of `kind`:
 * kprobes exist, the name exists, is a function, is unique, is not
 * blacklisted, and (for fprobe) is traceable. Throws a PreflightError.
 */
export function preflightKernelFunction(
  spec: string,
  facts: FunctionFacts,
  kind: FunctionProbeKind = 'kprobe',
): FunctionPreflight {
  const colon = spec.indexOf(':');
  const module = colon > 0 ? spec.slice(0, colon) : null;
  const name = colon > 0 ? spec.slice(colon + 1) : spec;
  if (kind === 'fprobe' ? !facts.features.fprobe : !facts.features.kprobes) {
    if (kind !== 'fprobe') throw noKprobes(name, kind, facts);
    throw new PreflightError(
      'E_NO_FPROBE',
      'fprobe events are not available: this kernel has no f[:...] line in tracefs README (CONFIG_FPROBE_EVENTS off)',
      {
        hint: facts.features.kprobes ? `use a kprobe instead: k:${name}` : KPROBE_ALTERNATIVES,
        suggestions: facts.features.kprobes ? [`k:${name}`] : [],
        details: { feature: 'fprobe', function: name },
      },
    );
  }
  const notes: string[] = [];
  if (/^0x[0-9a-f]+$/i.test(name)) {
    notes.push('probing by address: the name, blacklist and instruction boundary are not checked');
    return { name, address: BigInt(name), module, type: '?', notes };
  }
  let entries = facts.kallsyms.functions(name);
  if (module !== null) entries = entries.filter((e) => e.module === module);
  if (entries.length === 0) throw notFound(name, module, kind, facts);
  if (entries.length > 1) {
    const hidden = entries.every((e) => e.address === 0n);
    throw new PreflightError(
      'E_NOT_UNIQUE',
      `${name} is not unique: kallsyms has ${entries.length} functions with that name`,
      {
        hint: hidden
          ? 'probe one by address (k:0xADDR); addresses are hidden here, run as root to see them'
          : `probe one by address: ${entries.map((e) => `k:${hex(e.address)}`).join(', ')}`,
        suggestions: hidden ? [] : entries.map((e) => `k:${hex(e.address)}`),
        details: { function: name, candidates: entries.map(describe) },
      },
    );
  }
  const entry = entries[0] as KallsymsEntry;
  if (facts.blacklist.ok) {
    const hit = facts.blacklist.blacklist.lookup(name, entry.address);
    if (hit) {
      const inherited = hit.symbol !== name ? ` (it is a copy of ${hit.symbol}, which is)` : '';
      throw new PreflightError(
        'E_BLACKLISTED',
        `${name} may not be probed: it is in the kprobe blacklist${inherited}`,
        {
          hint: 'the kernel forbids kprobes where they could recurse into the kprobe machinery (NOKPROBE_SYMBOL, noinstr, entry code); probe a caller, or use a tracepoint',
          details: { function: name, blacklistEntry: hit.symbol },
        },
      );
    }
  } else {
    notes.push(`kprobe blacklist not checked: ${facts.blacklist.reason}`);
  }
  if (name.endsWith('.cold')) {
    if (kind !== 'kprobe') {
      throw new PreflightError(
        'E_NOT_ENTRY',
        `${name} is split-off cold code, not a function entry`,
        {
          hint: `probe the function itself: ${name.replace(/\.cold$/, '')}`,
          suggestions: [`${kind === 'kretprobe' ? 'kr' : 'f'}:${name.replace(/\.cold$/, '')}`],
          details: { function: name },
        },
      );
    }
    notes.push(`${name} is split-off cold code: no $argN, no return probe`);
  } else if (name.includes('.')) {
    notes.push(
      `${name} is a compiler clone: its arguments may be reordered or removed, so $argN can be wrong, and BTF has no entry for it`,
    );
  }
  const listed = facts.traceable.names.has(name);
  if (facts.traceable.source === 'available_filter_functions' && !listed) {
    if (kind === 'fprobe') {
      throw new PreflightError(
        'E_NOT_TRACEABLE',
        `${name} is not in available_filter_functions (notrace or not ftrace-able)`,
        {
          hint: facts.features.kprobes
            ? `fprobe needs ftrace; a kprobe works: k:${name}`
            : 'fprobe needs an ftrace-able function',
          suggestions: facts.features.kprobes ? [`k:${name}`] : [],
          details: { function: name },
        },
      );
    }
    notes.push(
      `${name} is not in available_filter_functions (notrace): a kprobe still works, through a breakpoint instead of ftrace`,
    );
  } else if (facts.traceable.source === 'kallsyms' && kind === 'fprobe') {
    notes.push(`traceability not checked: ${facts.traceable.note}`);
  }
  if (!isTextSymbol(entry)) notes.push(`${name} has kallsyms type '${entry.type}'`);
  return { name, address: entry.address, module: entry.module, type: entry.type, notes };
}
