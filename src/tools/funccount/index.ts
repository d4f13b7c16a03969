/** probekit funccount: count calls of functions and tracepoints matching patterns. */
import { type CallCounter, Counter, countCalls, type LabelledEvent, trace } from '../../index.js';
import {
  announceBackend,
  BACKEND_OPTION,
  type BackendName,
  driveBpf,
  finishBpf,
  parseBackend,
  startBpf,
} from '../common/backend.js';
import { expandPatterns, probeText } from '../common/expand.js';
import { parseToolArgs, positiveNumber, usageError } from '../common/options.js';
import { parseFunctionPattern } from '../common/patterns.js';
import { clockTime, drive, finish, type ToolIO, writer } from '../common/run.js';
import { notSelfFilter, withFilter } from '../common/self.js';

export const usage = `probekit funccount: count function calls and tracepoint hits

USAGE
  probekit funccount [-p PID] [-i SECONDS] [-d SECONDS] [-T N] [--backend B] [--json] PATTERN...

  Counts calls of every kernel function, user function or tracepoint that a
  PATTERN matches (globs: * and ?), until Ctrl-C or -d, then prints a table,
  largest first. Probes are removed on exit, whatever happens.

PATTERNS
  vfs_read*  or  k:vfs_read*     kernel functions (needs kprobes)
  u:libc:str*                    functions of a library or binary (uprobes)
  u:/usr/bin/bash:readline       one user function
  t:syscalls:sys_enter_*         tracepoints

OPTIONS
  -p, --pid PID        count only this process (and, with tracefs, its children)
  -i, --interval SECS  print (and reset) the counts every SECS seconds
  -d, --duration SECS  stop after SECS seconds
  -T, --top N          print only the N largest counts
  --max N              refuse patterns matching more than N probes (default 1000)
  --backend B          bpf (count in the kernel), tracefs (count in user space), or
                       auto (default: BPF when allowed and possible, else tracefs)
  --json               one JSON object per table (type "counts"), then a summary
  -v, --verbose        print each probe and notes

EXAMPLES
  probekit funccount 't:syscalls:sys_enter_*' -d 5     # syscalls by name, 5 seconds
  probekit funccount 'u:libc:str*' -p 1234           # libc string functions of one process
  probekit funccount 'vfs_*' -i 1                    # kernel VFS calls each second
  probekit funccount -T 10 'u:libc:*alloc*'          # the 10 busiest allocators

OVERHEAD
  With BPF (the default as root), each probe runs a tiny program that adds
  one to a per-CPU counter in the kernel: nothing is copied per call, so hot
  functions are cheap; only the totals are read. With tracefs every hit is one
  event copied to user space: fine up to tens of thousands of calls a second,
  costly beyond. stderr says which backend runs (docs/tools/funccount.md).

REQUIREMENTS
  root; uprobes for u:, tracepoints for t:, kprobes for kernel functions.
`;

const OPTIONS = {
  pid: { type: 'string', short: 'p' },
  interval: { type: 'string', short: 'i' },
  top: { type: 'string', short: 'T' },
  max: { type: 'string' },
  ...BACKEND_OPTION,
} as const;

const TOOL = 'funccount';

export async function run(argv: readonly string[], io: ToolIO): Promise<number> {
  const { values, positionals } = parseToolArgs(TOOL, argv, OPTIONS);
  if (positionals.length === 0) throw usageError(TOOL, 'give at least one pattern');
  const patterns = positionals.map((p) => parseFunctionPattern(TOOL, p));
  const pid = positiveNumber(TOOL, 'pid', values['pid'], { integer: true });
  const intervalS = positiveNumber(TOOL, 'interval', values['interval']);
  const durationS = positiveNumber(TOOL, 'duration', values['duration']);
  const top = positiveNumber(TOOL, 'top', values['top'], { integer: true });
  const max = positiveNumber(TOOL, 'max', values['max'], { integer: true });
  const json = values['json'] === true;

  const backend: BackendName = parseBackend(TOOL, values['backend']);

  const { targets, notes } = await expandPatterns(TOOL, patterns, { pid, max });
  const banner = `Tracing ${targets.length} function${targets.length === 1 ? '' : 's'} for ${positionals.map((p) => `"${p}"`).join(', ')}... Hit Ctrl-C to end.`;
  let counts = new Counter<string>();
  const out = writer(io);
  const print = (): void => {
    const rows = counts.top(top);
    if (json) {
      out(
        JSON.stringify({
          type: 'counts',
          time: new Date().toISOString(),
          counts: rows.map((r) => ({ func: r.key, count: r.count })),
          total: counts.total,
        }),
      );
    } else {
      if (intervalS !== undefined) out(`\n[${clockTime()}]`);
      out(`${'FUNC'.padEnd(40)} ${'COUNT'.padStart(10)}`);
      for (const r of rows) out(`${r.key.padEnd(40)} ${String(r.count).padStart(10)}`);
    }
    counts = new Counter<string>();
  };

  const bpf = await startBpf(backend, () =>
    countCalls(
      targets.map((t) => probeText(t, 'entry')),
      pid === undefined ? { exclude: [process.pid] } : { pid },
    ),
  );
  announceBackend(io, TOOL, bpf.agg ? 'bpf' : 'tracefs', bpf.reason);
  if (bpf.agg) {
    const agg: CallCounter = bpf.agg;
    let events = 0;
    const collect = (): void => {
      for (const r of agg.read({ reset: true })) {
        counts.add(targets[r.index]?.label ?? r.probe, r.count);
        events += r.count;
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
      if (!driven.pipeClosed && (intervalS === undefined || counts.total > 0)) print();
      return finishBpf(agg, { tool: TOOL, io, json }, driven, events, { probes: targets.length });
    } finally {
      agg.close();
    }
  }

  const self = pid === undefined ? notSelfFilter() : null;
  const specs = targets.map((t) => withFilter(probeText(t, 'entry'), self));
  const labelOfSpec = new Map(specs.map((s, i) => [s, targets[i]!.label]));
  const session = await trace(specs, {
    pids: pid === undefined ? undefined : [pid],
    onInterrupt: 'stop',
  });
  const labelOf = new Map(
    session.plan.probes.map((p) => [
      `${p.group}/${p.event}`,
      labelOfSpec.get(p.spec.text) ?? p.spec.text,
    ]),
  );
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
    (ev: LabelledEvent) => counts.add(labelOf.get(`${ev.group}/${ev.event}`) ?? ev.probe),
  );
  if (!driven.pipeClosed && (intervalS === undefined || counts.total > 0)) print();
  return finish(session, { tool: TOOL, io, json }, driven, {
    probes: targets.length,
    backend: 'tracefs',
  });
}
