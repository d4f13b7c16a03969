/** probekit execsnoop: trace new processes (every exec), on any kernel probekit can use. */
import {
  hostArchName,
  type LabelledEvent,
  listUserFunctions,
  prepare,
  type TraceSession,
  trace,
  UnsupportedError,
} from '../../index.js';
import { BACKEND_OPTION, type BackendName, parseBackend } from '../common/backend.js';
import { errnoName } from '../common/errno.js';
import {
  noPositionals,
  parseToolArgs,
  positiveNumber,
  usageError,
  wholeNumber,
} from '../common/options.js';
import { drive, finish, relativeSeconds, type ToolIO, writer } from '../common/run.js';
import { notSelfFilter, withFilter } from '../common/self.js';
import { procCmdline, procStatusNumber, quoteArg } from '../common/strings.js';
import {
  argFetch,
  argString,
  argStringArray,
  type SyscallRegs,
  syscallRegsFor,
} from '../common/syscall-regs.js';
import { ExecAssembler, type ExecRecord, MAX_TRACEPOINT_ARGS, type Role } from './assemble.js';

export const usage = `probekit execsnoop: trace new processes: every exec with its arguments

USAGE
  probekit execsnoop [-x] [-t] [-q] [-n NAME] [--uid UID] [--max-args N] [-d SECONDS] [--json]
                     [--backend bpf|tracefs|auto]

  Prints one line per exec() of the whole system: the command name after the
  exec, PID, parent PID, the return value (0, or the error name with -x) and
  the argument list, until Ctrl-C or -d.

OPTIONS
  -x, --fails          only failed execs, with the error name (ENOENT, EACCES, ...)
  -t, --timestamp      a TIME(s) column: seconds since tracing began
  -q, --quote          put each argument in double quotes
  -n, --name NAME      only execs whose command name or arguments match NAME (a regex)
  --uid UID            only processes of this real user id (read from /proc: see notes)
  --max-args N         read at most N arguments (default 32, at most 64)
  -d, --duration SECS  stop after SECS seconds
  --json               one JSON object per exec (type "exec"), then a summary
  --backend B          bpf (arguments from the syscall tracepoints, read by BPF),
                       tracefs (kprobes or libc uprobes), or auto (default: BPF
                       when allowed here, else tracefs)
  -v, --verbose        print each probe and notes

EXAMPLES
  probekit execsnoop                 # every exec, until Ctrl-C
  probekit execsnoop -x              # only failed execs, with the error name
  probekit execsnoop -t -n make      # execs matching "make", with times
  probekit execsnoop --uid 1000 -q   # execs of user 1000, arguments quoted

WHERE THE COLUMNS COME FROM
  PCOMM, PID, RET: the sched_process_exec and sys_exit_execve tracepoints.
  PPID: sched_process_fork seen while tracing, else /proc/PID/status.
  ARGS: with BPF, the sys_enter_execve/execveat tracepoints' filename and argv
  read by the BPF program (every program, static ones too; no kprobes or
  uprobes needed). On tracefs: with kprobes, a kprobe on the execve/execveat
  syscall reading argv as a ustring array (every program); without, a uprobe
  on libc's execve (string[N] of argv) for programs that exec through libc;
  otherwise /proc/PID/cmdline read when the event is processed (marked [proc]:
  racy for short-lived processes), otherwise the file name.
  Lines cut by the kernel's limits end with "...".

OVERHEAD
  Low: a few events per exec, plus one per fork (docs/tools/execsnoop.md).

REQUIREMENTS
  root; the sched and syscalls tracepoints; BPF (or kprobes, or uprobes) for
  full argument lists.
`;

const OPTIONS = {
  fails: { type: 'boolean', short: 'x' },
  timestamp: { type: 'boolean', short: 't' },
  quote: { type: 'boolean', short: 'q' },
  name: { type: 'string', short: 'n' },
  uid: { type: 'string' },
  'max-args': { type: 'string' },
  ...BACKEND_OPTION,
} as const;

const TOOL = 'execsnoop';

export async function run(argv: readonly string[], io: ToolIO): Promise<number> {
  const { values, positionals } = parseToolArgs(TOOL, argv, OPTIONS);
  noPositionals(TOOL, positionals);
  const durationS = positiveNumber(TOOL, 'duration', values['duration']);
  const uid = wholeNumber(TOOL, 'uid', values['uid']);
  const maxArgs = positiveNumber(TOOL, 'max-args', values['max-args'] ?? '32', { integer: true })!;
  if (maxArgs > 64)
    throw usageError(TOOL, `--max-args is at most 64 (the kernel's array limit), got ${maxArgs}`);
  let nameRe: RegExp | null = null;
  if (typeof values['name'] === 'string') {
    try {
      nameRe = new RegExp(values['name']);
    } catch {
      throw usageError(TOOL, `--name wants a regular expression, got '${values['name']}'`);
    }
  }
  const failsOnly = values['fails'] === true;
  const json = values['json'] === true;
  const wanted = parseBackend(TOOL, values['backend']);

  // What this kernel offers decides the probes.
  const features = (await prepare(['t:sched:sched_process_exec'])).features;
  const arch = hostArchName();
  const regs = syscallRegsFor(arch);
  const self = notSelfFilter();
  const haveExit = features.syscallTracepoints;
  const notes: string[] = [];
  if (!haveExit)
    notes.push(
      'no syscall tracepoints in this kernel: failed execs cannot be seen, only successful ones',
    );
  if (uid !== undefined)
    notes.push(
      '--uid reads /proc/PID/status when the exec is processed: processes already gone are left out',
    );
  const sources = argSources(wanted, {
    syscalls: haveExit,
    kprobes: features.kprobes && regs !== null,
    uprobes: features.uprobes,
  });
  let session: TraceSession | null = null;
  let roles = new Map<string, Role>();
  let source: ArgSource = 'none';
  for (const s of sources) {
    const plan = execProbes(s, { self, haveExit, maxArgs, regs, failsOnly });
    try {
      session = await trace(plan.specs, {
        onInterrupt: 'stop',
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
    source = s;
    break;
  }
  if (!session) throw new Error('unreachable: the last source throws');
  for (const p of session.plan.probes)
    if (p.spec.target.kind !== 'tracepoint') roles.set(`${p.group}/${p.event}`, 'libc');
  notes.push(SOURCE_NOTES[source]);
  const asm = new ExecAssembler(
    { cmdline: procCmdline, ppid: (pid) => procStatusNumber(pid, 'PPid') },
    haveExit,
    source === 'none' ? 'libc' : source,
    { maxArgs },
  );
  const startNs = process.hrtime.bigint();
  const out = writer(io);
  const showTime = values['timestamp'] === true;
  const quote = values['quote'] === true;
  if (!json)
    out(
      `${showTime ? `${'TIME(s)'.padEnd(10)} ` : ''}${'PCOMM'.padEnd(16)} ${'PID'.padStart(7)} ${'PPID'.padStart(7)} ${'RET'.padStart(7)} ARGS`,
    );
  let shown = 0;
  const onRecord = (r: ExecRecord): void => {
    if (failsOnly && r.ret === 0) return;
    if (nameRe && !nameRe.test(r.comm) && !nameRe.test(r.argv.join(' '))) return;
    if (uid !== undefined && procStatusNumber(r.pid, 'Uid') !== uid) return;
    shown++;
    if (json) {
      out(
        JSON.stringify({
          type: 'exec',
          time_ns: Number(r.ns),
          comm: r.comm,
          pid: r.pid,
          ppid: r.ppid,
          ret: r.ret,
          ...(r.ret === 0 ? {} : { errno: errnoName(r.ret) }),
          filename: r.filename,
          argv: r.argv,
          argv_source: r.argvSource,
          truncated: r.truncated,
        }),
      );
      return;
    }
    const args = r.argv.length === 0 ? '-' : r.argv.map((a) => (quote ? quoteArg(a) : a)).join(' ');
    const mark = `${r.truncated ? ' ...' : ''}${r.argvSource === 'proc' ? ' [proc]' : ''}${r.argv.length === 0 ? ' [file name unknown: not through libc]' : ''}`;
    const ret = r.ret === 0 ? '0' : failsOnly ? errnoName(r.ret) : String(r.ret);
    out(
      `${showTime ? `${relativeSeconds(r.ns, startNs).padEnd(10)} ` : ''}${r.comm.padEnd(16)} ${String(r.pid).padStart(7)} ${String(r.ppid ?? '?').padStart(7)} ${ret.padStart(7)} ${args}${mark}`,
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
      banner: `Tracing ${failsOnly ? 'failed ' : ''}exec()s${source === 'none' ? '' : ` (arguments from ${BANNER_SOURCE[source]})`}... Hit Ctrl-C to end.`,
    },
    (ev: LabelledEvent) => {
      const role = roles.get(`${ev.group}/${ev.event}`);
      if (!role) return;
      const rec = asm.push({
        role,
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
    execs: shown,
    backend: session.backend.backend,
  });
}

/** `tracepoint`: the syscall tracepoints' own filename and argv, read by BPF. */
type ArgSource = 'tracepoint' | 'kprobe' | 'libc' | 'none';

/**
 * The argument sources to try, best first: BPF on the syscall tracepoints
 * (unless --backend tracefs), then (unless --backend bpf) kprobes, libc
 * uprobes and nothing. The last one's failure is the run's error.
 */
function argSources(
  wanted: BackendName,
  have: { syscalls: boolean; kprobes: boolean; uprobes: boolean },
): ArgSource[] {
  if (wanted === 'bpf' && !have.syscalls)
    throw new UnsupportedError(
      'syscall-tracepoints',
      'probekit execsnoop: --backend bpf reads arguments from the syscall tracepoints, which this kernel lacks (CONFIG_FTRACE_SYSCALLS)',
      { hint: 'use --backend tracefs' },
    );
  return [
    ...(wanted !== 'tracefs' && have.syscalls ? (['tracepoint'] as const) : []),
    ...(wanted === 'bpf'
      ? []
      : [
          ...(have.kprobes ? (['kprobe'] as const) : []),
          ...(have.uprobes ? (['libc'] as const) : []),
          'none' as const,
        ]),
  ];
}

const BANNER_SOURCE: Record<Exclude<ArgSource, 'none'>, string> = {
  tracepoint: 'the syscall tracepoints, BPF',
  kprobe: 'a kprobe',
  libc: 'libc',
};

const SOURCE_NOTES: Record<ArgSource, string> = {
  tracepoint:
    'BPF backend: arguments come from the execve/execveat syscall tracepoints, read in the kernel (every program, static ones too)',
  kprobe:
    'arguments come from a kprobe on the execve/execveat syscalls (every program, static ones too)',
  libc: 'no kprobes here: arguments come from a uprobe on libc execve (programs that bypass libc show /proc/PID/cmdline, marked [proc], or just the file name)',
  none: 'no uprobes or kprobes here: arguments come from /proc/PID/cmdline read late (marked [proc]), or just the file name',
};

/** The probes for one argument source, and the role of each event. */
function execProbes(
  source: ArgSource,
  o: {
    self: string;
    haveExit: boolean;
    maxArgs: number;
    regs: SyscallRegs | null;
    failsOnly: boolean;
  },
): { specs: string[]; roles: Map<string, Role> } {
  const specs: string[] = [];
  const roles = new Map<string, Role>();
  const add = (spec: string, role: Role | null, key: string | null): void => {
    specs.push(spec);
    if (role && key) roles.set(key, role);
  };
  if (source === 'tracepoint') {
    // Everything from tracepoints; the BPF programs run the filters. One
    // argument more than wanted tells a cut list from a full one.
    const n = Math.min(o.maxArgs + 1, MAX_TRACEPOINT_ARGS);
    // -x: successes are dropped in the kernel, and their exec events are not needed.
    if (!o.failsOnly) add('t:sched:sched_process_exec', 'exec', 'sched/sched_process_exec');
    add(
      withFilter(`t:syscalls:sys_enter_execve(filename:ustring, argv:ustring[${n}])`, o.self),
      'args',
      'syscalls/sys_enter_execve',
    );
    add(
      withFilter(`t:syscalls:sys_enter_execveat(fd, filename:ustring, argv:ustring[${n}])`, o.self),
      'args',
      'syscalls/sys_enter_execveat',
    );
    const exitFilter = [o.failsOnly ? 'ret < 0' : null, o.self].filter(Boolean).join(' && ');
    for (const s of ['execve', 'execveat'])
      add(
        withFilter(`t:syscalls:sys_exit_${s}(ret)`, exitFilter),
        'exit',
        `syscalls/sys_exit_${s}`,
      );
    add(
      withFilter('t:sched:sched_process_fork(parent_pid, child_pid)', o.self),
      'fork',
      'sched/sched_process_fork',
    );
    return { specs, roles };
  }
  add('t:sched:sched_process_exec', 'exec', 'sched/sched_process_exec');
  add(
    withFilter('t:sched:sched_process_fork(parent_pid, child_pid)', o.self),
    'fork',
    'sched/sched_process_fork',
  );
  if (o.haveExit) {
    for (const s of ['execve', 'execveat']) {
      add(
        withFilter(`t:syscalls:sys_enter_${s}(__syscall_nr)`, o.self),
        'enter',
        `syscalls/sys_enter_${s}`,
      );
      add(withFilter(`t:syscalls:sys_exit_${s}(ret)`, o.self), 'exit', `syscalls/sys_exit_${s}`);
    }
  }
  if (source === 'kprobe' && o.regs) {
    const r = o.regs;
    add(
      withFilter(
        `k:${r.prefix}execve(filename=${argString(r, 1)}, argv=${argStringArray(r, 2, o.maxArgs)})`,
        o.self,
      ),
      null,
      null,
    );
    add(
      withFilter(
        `k:${r.prefix}execveat(dirfd=${argFetch(r, 1, 's32')}, filename=${argString(r, 2)}, argv=${argStringArray(r, 3, o.maxArgs)})`,
        o.self,
      ),
      null,
      null,
    );
  } else if (source === 'libc') {
    const have = new Set(listUserFunctions('libc', 'execve*').map((f) => f.name));
    if (have.has('execve'))
      add(
        withFilter(`u:libc:execve(filename:string, argv:string[${o.maxArgs}])`, o.self),
        null,
        null,
      );
    if (have.has('execveat'))
      add(
        withFilter(
          `u:libc:execveat(dirfd:s32, filename:string, argv:string[${o.maxArgs}])`,
          o.self,
        ),
        null,
        null,
      );
  }
  return { specs, roles };
}
