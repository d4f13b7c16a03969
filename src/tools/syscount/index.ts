/** probekit syscount: syscalls counted by name or process, with latency or failures. */
import {
  hostArchName,
  type LabelledEvent,
  trace,
  type ValueCounter,
  valueCounts,
} from '../../index.js';
import {
  announceBackend,
  BACKEND_OPTION,
  driveBpf,
  finishBpf,
  parseBackend,
  startBpf,
} from '../common/backend.js';
import { noPositionals, parseToolArgs, positiveNumber } from '../common/options.js';
import { clockTime, drive, finish, type ToolIO, writer } from '../common/run.js';
import { notSelfFilter, withFilter } from '../common/self.js';
import { hasSyscallTable } from '../common/syscalls.js';
import { type Row, SyscallTally } from './tally.js';

export const usage = `probekit syscount: count syscalls by name or by process

USAGE
  probekit syscount [-p PID] [-P] [-L] [-x] [-T N] [-i SECONDS] [-d SECONDS]
                    [--backend B] [--json]

  Counts every syscall of the whole system (or of -p PID), by name, until
  Ctrl-C or -d, then prints the busiest first. Syscall numbers are named from
  this architecture's table (x86_64, arm64; others print syscall_NR).

OPTIONS
  -p, --pid PID        count only this process (and, with tracefs, its children)
  -P, --process        count by process instead of by syscall
  -L, --latency        also show the total time spent in each (entry to exit)
  -x, --failures       count only failed syscalls, by error name (ENOENT, EAGAIN, ...)
  -T, --top N          print only the N largest rows (default 10; 0 for all)
  -i, --interval SECS  print (and reset) the counts every SECS seconds
  -d, --duration SECS  stop after SECS seconds
  --backend B          bpf (count in the kernel), tracefs (count in user space), or
                       auto (default: BPF when allowed, else tracefs)
  --json               one JSON object per table (type "syscalls"), then a summary
  -v, --verbose        print each probe and notes

EXAMPLES
  probekit syscount -d 5                # the top 10 syscalls for 5 seconds
  probekit syscount -P -i 1             # the busiest processes each second
  probekit syscount -L -p 1234          # syscalls of one process, with time spent
  probekit syscount -x                  # failing syscalls by error name

OVERHEAD
  With BPF (the default as root) syscalls are counted in the kernel, in a
  hash keyed by syscall (or process): no event is copied to user space, and
  even a busy machine costs little. With tracefs every syscall of every
  process is one event read in user space (-x and -p filter in the kernel):
  costly on a busy machine. stderr says which backend runs
  (docs/tools/syscount.md).

REQUIREMENTS
  root; the raw_syscalls tracepoints (CONFIG_FTRACE_SYSCALLS).
`;

const OPTIONS = {
  pid: { type: 'string', short: 'p' },
  process: { type: 'boolean', short: 'P' },
  latency: { type: 'boolean', short: 'L' },
  failures: { type: 'boolean', short: 'x' },
  top: { type: 'string', short: 'T' },
  interval: { type: 'string', short: 'i' },
  ...BACKEND_OPTION,
} as const;

const TOOL = 'syscount';

export async function run(argv: readonly string[], io: ToolIO): Promise<number> {
  const { values, positionals } = parseToolArgs(TOOL, argv, OPTIONS);
  noPositionals(TOOL, positionals);
  const pid = positiveNumber(TOOL, 'pid', values['pid'], { integer: true });
  const intervalS = positiveNumber(TOOL, 'interval', values['interval']);
  const durationS = positiveNumber(TOOL, 'duration', values['duration']);
  const topRaw =
    values['top'] === '0'
      ? undefined
      : positiveNumber(TOOL, 'top', values['top'] ?? '10', { integer: true });
  const json = values['json'] === true;
  const byProcess = values['process'] === true;
  const latency = values['latency'] === true;
  const failedOnly = values['failures'] === true;
  const arch = hostArchName();
  const notes: string[] = [];
  if (!hasSyscallTable(arch))
    notes.push(
      `no syscall table for ${arch ?? 'this architecture'}: syscalls are shown as syscall_NR`,
    );

  const backend = parseBackend(TOOL, values['backend']);
  const tally = new SyscallTally({ arch, byProcess, failedOnly, latency });
  const out = writer(io);
  const print = (): void => {
    const rows = tally.rows(topRaw, true);
    if (json) {
      out(
        JSON.stringify({
          type: 'syscalls',
          time: new Date().toISOString(),
          rows: rows.map(jsonRow),
        }),
      );
      return;
    }
    if (intervalS !== undefined) out(`\n[${clockTime()}]`);
    out(header(byProcess, failedOnly, latency));
    for (const r of rows) out(line(r, byProcess, failedOnly, latency));
  };
  const banner = `Tracing ${failedOnly ? 'failed ' : ''}syscalls, printing ${topRaw === undefined ? 'all' : `top ${topRaw}`}... Hit Ctrl-C to end.`;

  const bpf = await startBpf(backend, () =>
    valueCounts(`t:raw_syscalls:sys_exit(id, ret)${failedOnly ? ' if ret < 0' : ''}`, {
      ...(pid === undefined ? { exclude: [process.pid] } : { pid }),
      values: byProcess ? (failedOnly ? ['ret'] : []) : failedOnly ? ['id', 'ret'] : ['id'],
      withProcess: byProcess,
      ...(latency ? { timeFrom: 't:raw_syscalls:sys_enter' } : {}),
      maxKeys: 16384,
    }),
  );
  announceBackend(io, TOOL, bpf.agg ? 'bpf' : 'tracefs', bpf.reason);
  if (bpf.agg) {
    const agg: ValueCounter = bpf.agg;
    let events = 0;
    const collect = (): void => {
      for (const r of agg.read({ reset: true })) {
        events += r.count;
        tally.addCounted({
          tgid: r.tgid ?? 0,
          comm: r.comm ?? '',
          id: Number(r.values['id'] ?? -1),
          ret: r.values['ret'] ?? 0,
          count: r.count,
          totalNs: r.totalNs,
        });
      }
    };
    try {
      const driven = await driveBpf(agg, {
        tool: TOOL,
        io,
        durationS,
        intervalS,
        onInterval: () => {
          collect();
          print();
        },
        notes,
        verbose: values['verbose'] === true,
        banner,
      });
      collect();
      if (!driven.pipeClosed) print();
      return finishBpf(agg, { tool: TOOL, io, json }, driven, events);
    } finally {
      agg.close();
    }
  }

  const self = pid === undefined ? notSelfFilter() : null;
  const exitFilter = [failedOnly ? 'ret < 0' : null, self].filter(Boolean).join(' && ') || null;
  const specs = [withFilter('t:raw_syscalls:sys_exit(id, ret)', exitFilter)];
  if (latency) specs.unshift(withFilter('t:raw_syscalls:sys_enter(id)', self));
  const session = await trace(specs, {
    pids: pid === undefined ? undefined : [pid],
    onInterrupt: 'stop',
    // Every syscall is an event: a large buffer rides out bursts.
    bufferKb: 8192,
  });
  const driven = await drive(
    session,
    {
      tool: TOOL,
      io,
      json,
      durationS,
      intervalS,
      onInterval: print,
      notes,
      verbose: values['verbose'] === true,
      banner,
    },
    (ev: LabelledEvent) => {
      const id = Number(ev.fields['id'] ?? -1);
      if (ev.event === 'sys_enter') tally.enter(ev.pid, id, ev.timestampNs);
      else
        tally.exit({
          tid: ev.pid,
          tgid: ev.tgid ?? ev.pid,
          comm: ev.comm,
          id,
          ret: (ev.fields['ret'] as bigint | number | undefined) ?? 0,
          ns: ev.timestampNs,
        });
    },
  );
  if (!driven.pipeClosed) print();
  return finish(session, { tool: TOOL, io, json }, driven, { backend: 'tracefs' });
}

function header(byProcess: boolean, failed: boolean, latency: boolean): string {
  const first = byProcess ? `${'PID'.padStart(7)} ${'COMM'.padEnd(16)}` : 'SYSCALL'.padEnd(24);
  return `${first}${failed ? ` ${'ERROR'.padEnd(14)}` : ''} ${'COUNT'.padStart(10)}${latency ? ` ${'TIME (us)'.padStart(14)}` : ''}`;
}

function line(r: Row, byProcess: boolean, failed: boolean, latency: boolean): string {
  const first = byProcess
    ? `${String(r.pid).padStart(7)} ${(r.comm ?? '').padEnd(16)}`
    : r.name.padEnd(24);
  return `${first}${failed ? ` ${(r.errno ?? '').padEnd(14)}` : ''} ${String(r.count).padStart(10)}${latency ? ` ${(Number(r.totalNs) / 1000).toFixed(3).padStart(14)}` : ''}`;
}

function jsonRow(r: Row): Record<string, unknown> {
  return {
    ...(r.pid === null ? { syscall: r.name } : { pid: r.pid, comm: r.comm }),
    ...(r.errno === null ? {} : { errno: r.errno }),
    count: r.count,
    total_ns: Number(r.totalNs),
  };
}
