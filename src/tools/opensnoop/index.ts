/** probekit opensnoop: trace file opens with the fd or error, flags and path. */
import {
  hostArchName,
  type LabelledEvent,
  listTracepointEvents,
  listUserFunctions,
  loadKallsyms,
  prepare,
  type TraceSession,
  trace,
  UnsupportedError,
} from '../../index.js';
import { BACKEND_OPTION, parseBackend } from '../common/backend.js';
import { errnoName } from '../common/errno.js';
import { noPositionals, parseToolArgs, positiveNumber } from '../common/options.js';
import { drive, finish, relativeSeconds, type ToolIO, writer } from '../common/run.js';
import { notSelfFilter, withFilter } from '../common/self.js';
import { argString, type SyscallRegs, syscallRegsFor } from '../common/syscall-regs.js';
import { OpenAssembler, type OpenRecord, type OpenRole } from './assemble.js';

export const usage = `probekit opensnoop: trace open(), openat() and openat2() calls

USAGE
  probekit opensnoop [-x] [-t] [-p PID] [-n NAME] [-d SECONDS] [--json]
                     [--backend bpf|tracefs|auto]

  Prints one line per open of the whole system (or of -p PID): PID, COMM, the
  file descriptor (-1 on failure), the error, the flags in octal and the path,
  until Ctrl-C or -d.

OPTIONS
  -x, --failed         only failed opens, with the error name (ENOENT, EACCES, ...)
  -t, --timestamp      a TIME(s) column: seconds since tracing began
  -p, --pid PID        only this process (and its children)
  -n, --name NAME      only processes whose name contains NAME
  -d, --duration SECS  stop after SECS seconds
  --json               one JSON object per open (type "open"), then a summary
  --backend B          bpf (paths from the syscall tracepoints, read by BPF),
                       tracefs (kprobes or libc uprobes), or auto (default: BPF
                       when allowed here, else tracefs)
  -v, --verbose        print each probe and notes

EXAMPLES
  probekit opensnoop                # every open, until Ctrl-C
  probekit opensnoop -x             # failed opens with the error name
  probekit opensnoop -p 1234 -d 10  # one process for 10 seconds
  probekit opensnoop -n nginx -t    # processes named *nginx*, with times

WHERE THE COLUMNS COME FROM
  PID, COMM, FD, ERR, FLAGS: the sys_enter/sys_exit tracepoints of open,
  openat and openat2, and creat with BPF (openat2 keeps its flags in a
  struct: FLAGS is -).
  PATH: with BPF, the program reads the sys_enter tracepoint's filename
  pointer (every program; no kprobes or uprobes needed). On tracefs the
  tracepoints record only the pointer, so with kprobes the path comes from a
  kprobe on each open syscall (every program); without, from a uprobe on
  libc's open/openat: opens that bypass libc show PATH as -.

OVERHEAD
  Two events per open with BPF; on tracefs three through libc, two otherwise
  (docs/tools/opensnoop.md).

REQUIREMENTS
  root; syscall tracepoints (CONFIG_FTRACE_SYSCALLS); BPF (or kprobes, or
  uprobes) for paths.
`;

const OPTIONS = {
  failed: { type: 'boolean', short: 'x' },
  timestamp: { type: 'boolean', short: 't' },
  pid: { type: 'string', short: 'p' },
  name: { type: 'string', short: 'n' },
  ...BACKEND_OPTION,
} as const;

const TOOL = 'opensnoop';
const SYSCALLS = ['open', 'openat', 'openat2'] as const;
/** With BPF: each syscall's path field (read as text) and its other fields. */
const BPF_SYSCALLS = [
  { s: 'open', args: '(filename:ustring, flags)' },
  { s: 'openat', args: '(filename:ustring, flags)' },
  { s: 'openat2', args: '(filename:ustring)' },
  { s: 'creat', args: '(pathname:ustring)' },
] as const;
/** libc entry points and the register order of their path and flags. */
const LIBC = [
  { fn: 'open', args: '(path:string, flags:s32)' },
  { fn: 'openat', args: '(dfd:s32, path:string, flags:s32)' },
  { fn: '__open_nocancel', args: '(path:string, flags:s32)' },
  { fn: '__openat64_nocancel', args: '(dfd:s32, path:string, flags:s32)' },
] as const;

export async function run(argv: readonly string[], io: ToolIO): Promise<number> {
  const { values, positionals } = parseToolArgs(TOOL, argv, OPTIONS);
  noPositionals(TOOL, positionals);
  const pid = positiveNumber(TOOL, 'pid', values['pid'], { integer: true });
  const durationS = positiveNumber(TOOL, 'duration', values['duration']);
  const name = typeof values['name'] === 'string' ? values['name'] : null;
  const failedOnly = values['failed'] === true;
  const json = values['json'] === true;
  const wanted = parseBackend(TOOL, values['backend']);

  const prepared = await prepare(['t:raw_syscalls:sys_enter']).catch(() => null);
  const features = prepared?.features;
  const regs = syscallRegsFor(hostArchName());
  const self = pid === undefined ? notSelfFilter() : null;
  const notes: string[] = [];
  if (wanted === 'bpf' && features?.syscallTracepoints === false)
    throw new UnsupportedError(
      'syscall-tracepoints',
      'probekit opensnoop: --backend bpf reads paths from the syscall tracepoints, which this kernel lacks (CONFIG_FTRACE_SYSCALLS)',
      { hint: 'use --backend tracefs' },
    );
  // The open syscalls this kernel has (arm64 has no open or creat).
  const syscallEvents = new Set(
    prepared ? ((await listTracepointEvents(prepared.root, 'syscalls')) ?? []) : [],
  );
  const sources: PathSource[] = [
    ...(wanted !== 'tracefs' ? (['tracepoint'] as const) : []),
    ...(wanted === 'bpf'
      ? []
      : [
          ...(features?.kprobes && regs ? (['kprobe'] as const) : []),
          ...(features?.uprobes !== false ? (['libc'] as const) : []),
          'none' as const,
        ]),
  ];
  let session: TraceSession | null = null;
  let roles = new Map<string, { role: OpenRole; name: string }>();
  let byText = new Map<string, { role: OpenRole; name: string }>();
  let source: PathSource = 'none';
  const kallsyms = sources.includes('kprobe') ? await loadKallsyms() : null;
  const kernelHas = (fn: string): boolean => (kallsyms?.functions(fn).length ?? 0) > 0;
  for (const s of sources) {
    const plan = openProbes(s, {
      self,
      failedOnly,
      regs,
      kernelHas,
      tracepointHas: (e) => syscallEvents.size === 0 || syscallEvents.has(e),
    });
    try {
      session = await trace(plan.specs, {
        pids: pid === undefined ? undefined : [pid],
        onInterrupt: 'stop',
        bufferKb: 4096,
        backend: s === 'tracepoint' ? 'bpf' : 'tracefs',
      });
    } catch (e) {
      if (s === sources.at(-1)) throw e;
      const why = e instanceof Error ? e.message.split('\n')[0] : String(e);
      notes.push(
        s === 'tracepoint'
          ? `BPF not used (${why}); falling back to tracefs`
          : `could not use the ${s} probes (${why}); falling back`,
      );
      continue;
    }
    roles = plan.roles;
    byText = plan.byText;
    source = s;
    break;
  }
  if (!session) throw new Error('unreachable: the last source throws');
  for (const p of session.plan.probes) {
    const r = byText.get(p.spec.text);
    if (r !== undefined) roles.set(`${p.group}/${p.event}`, r);
  }
  notes.push(SOURCE_NOTES[source]);
  const asm = new OpenAssembler();
  const startNs = process.hrtime.bigint();
  const showTime = values['timestamp'] === true;
  const out = writer(io);
  if (!json)
    out(
      `${showTime ? `${'TIME(s)'.padEnd(10)} ` : ''}${'PID'.padStart(7)} ${'COMM'.padEnd(16)} ${'FD'.padStart(4)} ${'ERR'.padEnd(8)} ${'FLAGS'.padStart(8)} PATH`,
    );
  let shown = 0;
  const onRecord = (r: OpenRecord): void => {
    if (failedOnly && r.err === 0) return;
    if (name !== null && !r.comm.includes(name)) return;
    shown++;
    if (json) {
      out(
        JSON.stringify({
          type: 'open',
          time_ns: Number(r.ns),
          pid: r.pid,
          tid: r.tid,
          comm: r.comm,
          syscall: r.syscall,
          fd: r.fd,
          err: r.err,
          ...(r.err ? { errno: errnoName(r.err) } : {}),
          flags: r.flags,
          path: r.path,
        }),
      );
      return;
    }
    const err = r.err === 0 ? '0' : errnoName(r.err);
    const flags = r.flags === null ? '-' : `0${(r.flags >>> 0).toString(8)}`;
    out(
      `${showTime ? `${relativeSeconds(r.ns, startNs).padEnd(10)} ` : ''}${String(r.pid).padStart(7)} ${r.comm.padEnd(16)} ${String(r.fd).padStart(4)} ${err.padEnd(8)} ${flags.padStart(8)} ${r.path ?? '-'}`,
    );
  };
  const driven = await drive(
    session,
    {
      tool: TOOL,
      io,
      json,
      durationS,
      notes,
      verbose: values['verbose'] === true,
      banner: `Tracing ${failedOnly ? 'failed ' : ''}open()s... Hit Ctrl-C to end.`,
    },
    (ev: LabelledEvent) => {
      const r = roles.get(`${ev.group}/${ev.event}`);
      if (!r) return;
      const rec = asm.push({
        role: r.role,
        name: r.name,
        tid: ev.pid,
        tgid: ev.tgid,
        comm: ev.comm,
        ns: ev.timestampNs,
        fields: ev.fields,
      });
      if (rec) onRecord(rec);
    },
  );
  return finish(session, { tool: TOOL, io, json }, driven, {
    opens: shown,
    backend: session.backend.backend,
  });
}

/** `tracepoint`: the sys_enter tracepoints' own path pointer, read by BPF. */
type PathSource = 'tracepoint' | 'kprobe' | 'libc' | 'none';

const SOURCE_NOTES: Record<PathSource, string> = {
  tracepoint:
    'BPF backend: paths come from the open/openat/openat2/creat syscall tracepoints, read in the kernel (every program, static ones too)',
  kprobe: 'paths come from kprobes on the open syscalls (every program)',
  libc: 'no kprobes here: paths come from a uprobe on libc open/openat; opens that bypass libc show PATH as -',
  none: 'no uprobes or kprobes here: syscall tracepoints record no path, so PATH is - throughout',
};

/** The syscall tracepoints, plus the path probes of one source. */
function openProbes(
  source: PathSource,
  o: {
    self: string | null;
    failedOnly: boolean;
    regs: SyscallRegs | null;
    kernelHas: (fn: string) => boolean;
    tracepointHas: (event: string) => boolean;
  },
): {
  specs: string[];
  roles: Map<string, { role: OpenRole; name: string }>;
  byText: Map<string, { role: OpenRole; name: string }>;
} {
  const specs: string[] = [];
  const roles = new Map<string, { role: OpenRole; name: string }>();
  const byText = new Map<string, { role: OpenRole; name: string }>();
  const exitFilter = [o.failedOnly ? 'ret < 0' : null, o.self].filter(Boolean).join(' && ') || null;
  if (source === 'tracepoint') {
    for (const { s, args } of BPF_SYSCALLS) {
      if (!o.tracepointHas(`sys_enter_${s}`) || !o.tracepointHas(`sys_exit_${s}`)) continue;
      specs.push(withFilter(`t:syscalls:sys_enter_${s}${args}`, o.self));
      specs.push(withFilter(`t:syscalls:sys_exit_${s}(ret)`, exitFilter));
      roles.set(`syscalls/sys_enter_${s}`, { role: 'enter', name: s });
      roles.set(`syscalls/sys_exit_${s}`, { role: 'exit', name: s });
    }
    return { specs, roles, byText };
  }
  for (const s of SYSCALLS) {
    const args = s === 'openat2' ? '(__syscall_nr)' : '(flags)';
    specs.push(withFilter(`t:syscalls:sys_enter_${s}${args}`, o.self));
    specs.push(withFilter(`t:syscalls:sys_exit_${s}(ret)`, exitFilter));
    roles.set(`syscalls/sys_enter_${s}`, { role: 'enter', name: s });
    roles.set(`syscalls/sys_exit_${s}`, { role: 'exit', name: s });
  }
  if (source === 'kprobe' && o.regs) {
    const r = o.regs;
    for (const [s, n] of [
      ['open', 1],
      ['openat', 2],
      ['openat2', 2],
    ] as const) {
      // arm64 has no open syscall: only wrappers the kernel has.
      if (!o.kernelHas(`${r.prefix}${s}`)) continue;
      const spec = withFilter(`k:${r.prefix}${s}(path=${argString(r, n)})`, o.self);
      specs.push(spec);
      byText.set(spec, { role: 'kpath', name: s });
    }
  } else if (source === 'libc') {
    const seen = new Set<bigint>();
    const fns = listUserFunctions('libc', '*open*');
    for (const l of LIBC) {
      const f = fns.find((x) => x.name === l.fn && x.type === 'FUNC');
      if (!f || seen.has(f.fileOffset)) continue;
      seen.add(f.fileOffset);
      const spec = withFilter(`u:libc:${l.fn}${l.args}`, o.self);
      specs.push(spec);
      byText.set(spec, { role: 'libc', name: l.fn });
    }
  }
  return { specs, roles, byText };
}
