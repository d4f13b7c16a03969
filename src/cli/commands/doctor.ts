/**
 * `probekit doctor`: what this kernel supports for probekit, one line per
 * feature with a remedy when it is missing. Reads only; may mount tracefs
 * (root, as `trace` would) unless --no-mount.
 */
import { UsageError } from '../../errors.js';
import {
  detectFeatures,
  type FsLocation,
  type GatheredFacts,
  gatherFunctionFacts,
  type KernelFeatures,
  KPROBE_ALTERNATIVES,
  listTracepointGroups,
  locateTracefs,
} from '../../kernel/index.js';
import { parseCommandArgs } from '../args.js';
import type { CommandIO } from '../command.js';

export const usage = `probekit doctor: check what this kernel supports for probekit, with remedies

USAGE
  probekit doctor [--json] [--no-mount]

OPTIONS
  --json        # one JSON object: every check, the raw feature set, where each came from
  --no-mount    # do not mount tracefs when it is not mounted (default: mount it when root)
  -h, --help    # this text

EXAMPLES
  sudo probekit doctor           # the table: ✓ supported, ✗ missing (with what to do)
  sudo probekit doctor --json    # for scripts: jq '.checks[] | select(.ok == false)'

WHAT IT READS
  /proc/mounts (tracefs, debugfs), tracefs README and which files exist there,
  /proc/kallsyms, available_filter_functions, /sys/kernel/btf/vmlinux,
  /sys/bus/event_source/devices/{kprobe,uprobe}/type, /proc/self/status,
  /proc/sys/kernel/unprivileged_bpf_disabled, the kernel config when published.
  Features come from those files, never from the kernel version.

WHAT IT TRIES
  The bpf() syscall, as this user: a one-entry map, trivial tracepoint and
  kprobe programs, a ring buffer, and a BPF link to fd -1 (the kernel answers
  EBADF when it has links). Each is closed at once; nothing is attached.

REQUIREMENTS
  Linux with tracefs. Run as root for a complete answer: tracefs is readable
  by root only, and kallsyms hides addresses from other users.

EXIT STATUS
  0 when the kernel could be inspected (whatever is missing), 1 when tracefs
  cannot be found or mounted, 2 for a usage mistake.
`;

export interface DoctorCheck {
  /** Stable key for scripts. */
  readonly key: string;
  readonly label: string;
  readonly ok: boolean;
  /** What was found (a path, a type number, a reason). */
  readonly detail: string;
  /** One line saying what to do, when not ok. */
  readonly remedy: string | null;
}

export interface DoctorInput {
  readonly tracefs: FsLocation;
  readonly features: KernelFeatures;
  readonly tracepointGroups: number;
  /** Symbol facts; null when they could not be gathered. */
  readonly facts: Pick<GatheredFacts, 'kallsyms' | 'traceable' | 'blacklist'> | null;
  /** What bpf() answered this process (see `probeBpf`); no BPF rows beyond `bpf` when absent. */
  readonly bpfProbe?: BpfProbe | null;
}

/** What the bpf() syscall answered when tried by this process. */
export interface BpfProbe {
  /** bpf() works for this user: a one-entry array map could be created. */
  readonly syscall: boolean;
  /** Each null when not tried (bpf() refused, or probing failed). */
  readonly tracepointProg: boolean | null;
  readonly kprobeProg: boolean | null;
  readonly ringbuf: boolean | null;
  /** BPF links on perf events (LINK_CREATE with BPF_PERF_EVENT, 5.15). */
  readonly perfLink: boolean | null;
  /** `probekit trace --backend auto` would pick BPF (for probes the BPF backend supports). */
  readonly autoPicksBpf: boolean;
  /** Why auto would use tracefs instead, or null when it picks BPF. */
  readonly autoFallback: string | null;
  /** Why probing failed (libc could not be bound, ...), or null. */
  readonly error: string | null;
}

function message(e: unknown): string {
  return e instanceof Error ? e.message : String(e);
}

/**
 * Tries bpf() as this process (through the feature table of src/bpf/features.ts,
 * loaded lazily so that a missing native binding is reported, not fatal).
 */
export async function probeBpf(): Promise<BpfProbe> {
  const none = { tracepointProg: null, kprobeProg: null, ringbuf: null, perfLink: null };
  let hasFeature: (
    f: 'bpf_syscall' | 'tracepoint_prog' | 'kprobe_prog' | 'ringbuf' | 'perf_link',
  ) => boolean;
  try {
    hasFeature = (await import('../../bpf/features.js')).hasFeature;
  } catch (e) {
    const error = `BPF could not be probed: ${message(e)}`;
    return { syscall: false, ...none, autoPicksBpf: false, autoFallback: error, error };
  }
  let probe: Omit<BpfProbe, 'autoPicksBpf' | 'autoFallback'>;
  try {
    const syscall = hasFeature('bpf_syscall');
    probe = syscall
      ? {
          syscall,
          tracepointProg: hasFeature('tracepoint_prog'),
          kprobeProg: hasFeature('kprobe_prog'),
          ringbuf: hasFeature('ringbuf'),
          perfLink: hasFeature('perf_link'),
          error: null,
        }
      : { syscall, ...none, error: null };
  } catch (e) {
    probe = { syscall: false, ...none, error: `BPF could not be probed: ${message(e)}` };
  }
  // The trace command's own decision, so that doctor cannot drift from it.
  let autoFallback: string | null;
  try {
    autoFallback = (await import('../../bpf/availability.js')).whyNoBpf({ ringbuf: true });
  } catch (e) {
    autoFallback = probe.error ?? `the BPF backend could not be loaded: ${message(e)}`;
  }
  return { ...probe, autoPicksBpf: autoFallback === null, autoFallback };
}

/** CAP_BPF/CAP_PERFMON this process lacks for BPF tracing (none with CAP_SYS_ADMIN). */
function missingBpfCaps(p: KernelFeatures['privileges']): string[] {
  if (p.sysAdmin) return [];
  return [!p.bpf && 'CAP_BPF', !p.perfmon && 'CAP_PERFMON'].filter((c): c is string => !!c);
}

const BPF_PRIVILEGE_REMEDY = 'run as root (sudo), or grant CAP_BPF and CAP_PERFMON';

/** The rows from `probeBpf`; unknown ones (not tried) are left out. */
function bpfProbeChecks(input: DoctorInput): DoctorCheck[] {
  const b = input.bpfProbe;
  if (!b) return [];
  const f = input.features;
  const p = f.privileges;
  const who = `uid ${p.euid ?? '?'}`;
  const missing = missingBpfCaps(p);
  const lacks = missing.length > 0 ? `lacks ${missing.join(' and ')}` : null;
  const out: DoctorCheck[] = [
    check(
      'bpfSyscall',
      'bpf() syscall',
      b.syscall,
      b.syscall
        ? `works for ${who}`
        : (b.error ??
            (f.bpf.syscall
              ? `refused for ${who}${lacks ? ` (${lacks})` : ''}`
              : `refused: no bpf() syscall (${f.bpf.evidence})`)),
      b.error !== null
        ? 'reinstall probekit (koffi binds libc for bpf()); the tracefs backend works without it'
        : f.bpf.syscall
          ? `${BPF_PRIVILEGE_REMEDY}; the tracefs backend works without BPF`
          : 'the kernel needs CONFIG_BPF_SYSCALL=y; the tracefs backend works without it',
    ),
  ];
  const feature = (
    key: string,
    label: string,
    ok: boolean | null,
    yes: string,
    since: string,
    noRemedy: string,
  ) => {
    if (ok === null) return;
    // Tracing programs need CAP_PERFMON on top of CAP_BPF (or CAP_SYS_ADMIN).
    const why = lacks
      ? `refused: ${who} ${lacks}`
      : `the kernel refused it (added in Linux ${since})`;
    out.push(check(key, label, ok, ok ? yes : why, lacks ? BPF_PRIVILEGE_REMEDY : noRemedy));
  };
  feature(
    'bpfTracepoint',
    'BPF tracepoint programs',
    b.tracepointProg,
    'load',
    '4.7',
    'the kernel needs CONFIG_BPF_EVENTS=y; the tracefs backend works without it',
  );
  feature(
    'bpfKprobe',
    'BPF kprobe programs',
    b.kprobeProg,
    `load (for uprobes${f.kprobePmu !== null ? ' and kprobes, through the kprobe PMU' : '; no kprobe PMU here, so not for kprobes'})`,
    '4.1',
    'the kernel needs CONFIG_BPF_EVENTS=y; the tracefs backend works without it',
  );
  feature(
    'bpfRingbuf',
    'BPF ring buffer',
    b.ringbuf,
    'BPF_MAP_TYPE_RINGBUF',
    '5.8',
    'the BPF backend needs Linux 5.8+; use --backend tracefs',
  );
  feature(
    'bpfLinks',
    'BPF links',
    b.perfLink,
    'LINK_CREATE on perf events',
    '5.15',
    'probekit attaches with PERF_EVENT_IOC_SET_BPF instead (same result)',
  );
  // auto decides on bpf() and the ring buffer; tracing programs may still be refused.
  const progsRefused = b.tracepointProg === false || b.kprobeProg === false;
  const backendOk = b.autoPicksBpf && !progsRefused;
  out.push(
    check(
      'bpfBackend',
      'trace --backend auto',
      backendOk,
      b.autoPicksBpf
        ? progsRefused
          ? `picks BPF, but its programs are refused${lacks ? ` (${who} ${lacks})` : ''}, so trace would fail`
          : 'picks BPF (for probes the BPF backend supports)'
        : `uses tracefs: ${b.autoFallback ?? 'BPF is not available'}`,
      progsRefused && lacks
        ? `${BPF_PRIVILEGE_REMEDY}, or use --backend tracefs`
        : b.syscall || b.error !== null || !f.bpf.syscall
          ? 'probekit traces through tracefs instead; --backend bpf would fail'
          : `${BPF_PRIVILEGE_REMEDY} for the BPF backend; tracefs works meanwhile`,
    ),
  );
  return out;
}

function check(
  key: string,
  label: string,
  ok: boolean,
  detail: string,
  remedy: string | null,
): DoctorCheck {
  return { key, label, ok, detail, remedy: ok ? null : remedy };
}

const NEEDS_KPROBES = 'comes with kprobes (CONFIG_KPROBES)';

/** Checks that read tracefs, hidden when tracefs is not readable. */
const FROM_TRACEFS = new Set([
  'kprobes',
  'kretprobes',
  'uprobes',
  'tracepoints',
  'syscallTracepoints',
  'dynamicEvents',
  'instances',
  'argN',
  'argNAtReturn',
  'ustring',
  'userDeref',
  'btfArgs',
  'fprobe',
  'traceable',
]);

/** Pure: the checks, in the order they print. */
export function doctorChecks(input: DoctorInput): DoctorCheck[] {
  const f = input.features;
  const t = input.tracefs;
  const p = f.privileges;
  const kprobeReason = f.kprobesMissing ?? 'no kprobe_events in tracefs';
  const where = `${t.path}${t.via === 'debugfs' ? ' (through debugfs)' : ''}${t.mounted ? ' (mounted by probekit)' : ''}`;
  const checks: DoctorCheck[] = [
    check(
      'tracefs',
      'tracefs',
      f.tracefsReadable,
      `${where}${f.tracefsReadable ? '' : `: not readable by uid ${p.euid ?? '?'}, so its features are not shown`}`,
      'run as root: sudo probekit doctor',
    ),
    check(
      'kprobes',
      'kprobes',
      f.kprobes,
      f.kprobes ? 'kprobe_events' : kprobeReason,
      KPROBE_ALTERNATIVES,
    ),
    check(
      'kretprobes',
      'kretprobes',
      f.kretprobes,
      f.kretprobes
        ? 'r[maxactive] in README'
        : f.kprobes
          ? 'README has no return probe syntax'
          : 'no kprobes',
      f.kprobes ? 'the kernel needs CONFIG_KRETPROBES' : NEEDS_KPROBES,
    ),
    check(
      'uprobes',
      'uprobes',
      f.uprobes,
      f.uprobes ? 'uprobe_events' : 'no uprobe_events in tracefs',
      'the kernel needs CONFIG_UPROBE_EVENTS=y',
    ),
    check(
      'tracepoints',
      'tracepoints',
      f.tracepoints,
      f.tracepoints ? `${input.tracepointGroups} groups under events/` : 'no events/ in tracefs',
      'the kernel needs CONFIG_EVENT_TRACING (any distribution kernel has it)',
    ),
    check(
      'syscallTracepoints',
      'syscall tracepoints',
      f.syscallTracepoints,
      f.syscallTracepoints ? 'events/syscalls' : 'no events/syscalls',
      'the kernel needs CONFIG_FTRACE_SYSCALLS; use raw_syscalls:sys_enter instead',
    ),
    check(
      'dynamicEvents',
      'dynamic_events',
      f.dynamicEvents,
      f.dynamicEvents ? 'dynamic_events' : 'no dynamic_events file (kernel before 4.20)',
      'probekit falls back to kprobe_events/uprobe_events',
    ),
    check(
      'instances',
      'instances',
      f.instances,
      f.instances ? 'instances/' : 'no instances/ directory',
      'without instances probekit must share the global buffer; use a newer kernel',
    ),
    check(
      'argN',
      '$argN',
      f.argN,
      f.argN ? '$arg<N> in README' : 'README has no $arg<N>',
      'name registers explicitly (probekit explain shows them)',
    ),
    check(
      'argNAtReturn',
      '$argN at return',
      f.argNAtReturn,
      f.argNAtReturn
        ? 'README: return probes support $arg<N>'
        : 'return probes cannot read entry arguments',
      'pair entry and return probes instead (kernel 6.10+ has it)',
    ),
    check(
      'ustring',
      'ustring',
      f.ustring,
      f.ustring ? 'ustring in README' : 'README has no ustring',
      'user strings fall back to string, which may fault',
    ),
    check(
      'userDeref',
      '+u dereference',
      f.userDeref,
      f.userDeref ? '+|-[u]<offset> in README' : 'README has no +u',
      'user memory reads may fault',
    ),
    check(
      'btf',
      'BTF',
      f.btf,
      f.btf ? '/sys/kernel/btf/vmlinux' : 'no /sys/kernel/btf/vmlinux',
      'the kernel needs CONFIG_DEBUG_INFO_BTF=y; name arguments by position instead',
    ),
    check(
      'btfArgs',
      'BTF argument names',
      f.btfArgs,
      f.btfArgs
        ? '<argname> in README'
        : f.kprobes || f.fprobe
          ? 'README has no <argname>'
          : 'needs kprobe or fprobe events',
      'probekit reads BTF itself and writes registers; kernel-side names need CONFIG_PROBE_EVENTS_BTF_ARGS (6.5+)',
    ),
    check(
      'fprobe',
      'fprobe',
      f.fprobe,
      f.fprobe ? 'f[:...] in README' : 'README has no f[:...] line',
      'the kernel needs CONFIG_FPROBE_EVENTS (6.5+); kprobes cover the same functions',
    ),
    check(
      'kprobePmu',
      'kprobe PMU',
      f.kprobePmu !== null,
      f.kprobePmu !== null ? `perf type ${f.kprobePmu}` : 'no /sys/bus/event_source/devices/kprobe',
      f.kprobes ? 'BPF attach falls back to kprobe_events' : NEEDS_KPROBES,
    ),
    check(
      'uprobePmu',
      'uprobe PMU',
      f.uprobePmu !== null,
      f.uprobePmu !== null ? `perf type ${f.uprobePmu}` : 'no /sys/bus/event_source/devices/uprobe',
      'BPF attach falls back to uprobe_events',
    ),
    check(
      'bpf',
      'BPF',
      f.bpf.usable,
      `${f.bpf.syscall ? 'bpf() syscall present' : 'no bpf() syscall'} (${f.bpf.evidence})${f.bpf.unprivilegedDisabled !== null ? `; unprivileged_bpf_disabled=${f.bpf.unprivilegedDisabled}` : ''}`,
      f.bpf.syscall
        ? 'run as root (or with CAP_BPF and CAP_PERFMON)'
        : 'the kernel needs CONFIG_BPF_SYSCALL=y; the tracefs backend works without it',
    ),
    check(
      'privileges',
      'privileges',
      p.canTrace,
      p.root
        ? p.sysAdmin
          ? 'root, CAP_SYS_ADMIN'
          : 'root without CAP_SYS_ADMIN (a container?)'
        : p.sysAdmin
          ? `uid ${p.euid}, CAP_SYS_ADMIN`
          : `uid ${p.euid ?? '?'}, no CAP_SYS_ADMIN`,
      'run as root: sudo probekit ...',
    ),
  ];
  checks.splice(checks.findIndex((c) => c.key === 'bpf') + 1, 0, ...bpfProbeChecks(input));
  const facts = input.facts;
  if (facts) {
    const k = facts.kallsyms;
    checks.push(
      check(
        'kallsyms',
        'kallsyms',
        !k.addressesHidden,
        `${k.size} symbols, ${k.duplicateFunctionNames().length} duplicate function names${k.addressesHidden ? ', addresses hidden' : ''}`,
        'addresses are hidden (kptr_restrict or not root): run as root to probe by address',
      ),
      check(
        'traceable',
        'available_filter_functions',
        facts.traceable.source === 'available_filter_functions',
        facts.traceable.source === 'available_filter_functions'
          ? `${facts.traceable.names.size} functions`
          : (facts.traceable.note ?? 'unreadable'),
        'notrace functions cannot be told apart; kprobes still work on them, fprobe does not',
      ),
    );
    if (f.kprobes) {
      const b = facts.blacklist;
      checks.push(
        check(
          'blacklist',
          'kprobe blacklist',
          b.ok,
          b.ok ? `${b.path}: ${b.blacklist.entries.length} entries` : b.reason,
          'mount debugfs (mount -t debugfs nodev /sys/kernel/debug) so probekit can refuse blacklisted functions before the kernel does',
        ),
      );
    }
  }
  // Without read access to tracefs its features are unknown, not missing.
  return f.tracefsReadable ? checks : checks.filter((c) => !FROM_TRACEFS.has(c.key));
}

/** The one-paragraph conclusion under the table. */
export function doctorSummary(input: DoctorInput): string[] {
  const f = input.features;
  const lines: string[] = [];
  if (!f.tracefsReadable) {
    lines.push(
      `tracefs (${input.tracefs.path}) is readable by root only: run sudo probekit doctor for the full picture.`,
    );
  } else if (!f.kprobes) {
    lines.push(`kprobes are missing: ${f.kprobesMissing ?? 'no kprobe_events in tracefs'}.`);
    lines.push(`  Instead: ${KPROBE_ALTERNATIVES}.`);
  }
  if (!f.privileges.canTrace) lines.push('Not root: probes cannot be added; run with sudo.');
  const b = input.bpfProbe;
  if (b) {
    const refused = b.tracepointProg === false || b.kprobeProg === false;
    lines.push(
      b.autoPicksBpf && refused
        ? 'BPF: bpf() works but tracing programs are refused; use --backend tracefs, or run as root.'
        : b.autoPicksBpf
          ? 'BPF: available; probekit trace (--backend auto) uses generated BPF programs.'
          : `BPF: not used (${b.autoFallback ?? 'unavailable'}); probekit trace uses tracefs.`,
    );
  }
  if (!f.tracefsReadable) return lines;
  const usable = [
    f.kprobes && 'kprobes',
    f.kretprobes && 'kretprobes',
    f.uprobes && 'uprobes',
    f.tracepoints && 'tracepoints',
  ].filter(Boolean);
  lines.push(`probekit can use here: ${usable.length > 0 ? usable.join(', ') : 'nothing'}.`);
  return lines;
}

export function renderDoctor(input: DoctorInput, arch: string): string {
  const checks = doctorChecks(input);
  const width = Math.max(...checks.map((c) => c.label.length)) + 2;
  const out = [
    `probekit doctor: kernel ${input.features.release} (${arch}), tracefs at ${input.tracefs.path}`,
    '',
  ];
  for (const c of checks) {
    out.push(`  ${c.ok ? '✓' : '✗'} ${c.label.padEnd(width)}${c.detail}`);
    if (c.remedy) out.push(`    ${' '.repeat(width)}→ ${c.remedy}`);
  }
  out.push('', ...doctorSummary(input), '');
  return out.join('\n');
}

function jsonReplacer(_key: string, value: unknown): unknown {
  return typeof value === 'bigint' ? `0x${value.toString(16)}` : value;
}

export async function run(argv: readonly string[], io: CommandIO): Promise<number> {
  const { values, positionals } = parseCommandArgs('doctor', argv, {
    json: { type: 'boolean' },
    'no-mount': { type: 'boolean' },
  });
  if (positionals.length > 0) {
    throw new UsageError('E_USAGE', `probekit doctor: unexpected argument '${positionals[0]}'`, {
      hint: "run 'probekit doctor --help' for usage",
    });
  }
  const tracefs = await locateTracefs({ mount: values['no-mount'] !== true });
  const features = await detectFeatures(tracefs.path);
  const [groups, facts, bpfProbe] = await Promise.all([
    listTracepointGroups(tracefs.path),
    gatherFunctionFacts(tracefs.path, { features }).catch(() => null),
    probeBpf(),
  ]);
  const input: DoctorInput = {
    tracefs,
    features,
    tracepointGroups: groups.length,
    facts,
    bpfProbe,
  };
  const arch = facts?.arch ?? process.arch;
  if (values.json === true) {
    const checks = doctorChecks(input);
    const doc = {
      release: features.release,
      arch,
      tracefs,
      checks,
      summary: doctorSummary(input),
      features,
      bpfProbe,
    };
    io.stdout.write(`${JSON.stringify(doc, jsonReplacer, 2)}\n`);
  } else {
    io.stdout.write(renderDoctor(input, arch));
  }
  return 0;
}
