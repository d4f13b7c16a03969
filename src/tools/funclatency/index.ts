/** probekit funclatency: a log2 histogram of how long functions take, entry to return per thread. */
import {
  CallPairer,
  type LabelledEvent,
  type LatencyHistograms,
  Log2Histogram,
  latencyHistogram,
  renderLog2,
  type Side,
  trace,
} from '../../index.js';
import {
  announceBackend,
  BACKEND_OPTION,
  driveBpf,
  finishBpf,
  parseBackend,
  startBpf,
} from '../common/backend.js';
import { expandPatterns, probeText } from '../common/expand.js';
import {
  parseToolArgs,
  positiveNumber,
  type TimeUnit,
  UNIT_DIVISOR,
  usageError,
} from '../common/options.js';
import { parseFunctionPattern } from '../common/patterns.js';
import { clockTime, drive, finish, type ToolIO, writer } from '../common/run.js';
import { notSelfFilter, withFilter } from '../common/self.js';

export const usage = `probekit funclatency: time functions and show the latency as a histogram

USAGE
  probekit funclatency [-u|-m] [-p PID] [-P] [-F] [-i SECONDS] [-d SECONDS]
                       [--backend B] [--json] PATTERN

  Puts an entry and a return probe on each function PATTERN matches, pairs
  them per thread, and prints a power-of-two histogram of the latencies on
  Ctrl-C, after -d, or every -i seconds.

PATTERNS
  vfs_read  or  k:vfs_read*      kernel functions (needs kprobes)
  u:libc:malloc                  a user function (uprobes)
  u:/path/to/app:work*           functions of a binary

OPTIONS
  -u, --microseconds   histogram in microseconds (default nanoseconds)
  -m, --milliseconds   histogram in milliseconds
  -p, --pid PID        only this process (and, with tracefs, its children)
  -P, --per-process    one histogram per process
  -F, --per-function   one histogram per function (for patterns)
  -i, --interval SECS  print (and reset) every SECS seconds
  -d, --duration SECS  stop after SECS seconds
  --backend B          bpf (time and bucket in the kernel), tracefs (pair events in
                       user space), or auto (default: BPF when allowed, else tracefs)
  --json               one JSON object per histogram (type "histogram"), then a summary
  -v, --verbose        print each probe and notes

EXAMPLES
  probekit funclatency u:libc:malloc -p 1234        # malloc latency of one process
  probekit funclatency -u vfs_read                   # vfs_read in microseconds
  probekit funclatency -F -m 'u:/usr/bin/python3:PyEval_*' -d 10
  probekit funclatency -P -i 5 do_sys_openat2        # per process, every 5 seconds

OVERHEAD
  With BPF (the default as root) the entry program stores the time per
  thread and the return program adds the latency to a histogram in the
  kernel: nothing is copied per call. With tracefs each call is two events
  paired in user space: keep it to functions called up to some tens of
  thousands of times a second. A recursive call replaces its caller's entry
  time with BPF (the caller's return is not timed). stderr says which
  backend runs (docs/tools/funclatency.md).

REQUIREMENTS
  root; uprobes and uretprobes for user functions, kprobes and kretprobes
  for kernel functions.
`;

const OPTIONS = {
  microseconds: { type: 'boolean', short: 'u' },
  milliseconds: { type: 'boolean', short: 'm' },
  pid: { type: 'string', short: 'p' },
  'per-process': { type: 'boolean', short: 'P' },
  'per-function': { type: 'boolean', short: 'F' },
  interval: { type: 'string', short: 'i' },
  ...BACKEND_OPTION,
} as const;

const TOOL = 'funclatency';

export async function run(argv: readonly string[], io: ToolIO): Promise<number> {
  const { values, positionals } = parseToolArgs(TOOL, argv, OPTIONS);
  if (positionals.length !== 1) throw usageError(TOOL, 'give exactly one function pattern');
  if (values['microseconds'] && values['milliseconds'])
    throw usageError(TOOL, 'give -u or -m, not both');
  const unit: TimeUnit = values['microseconds']
    ? 'usecs'
    : values['milliseconds']
      ? 'msecs'
      : 'nsecs';
  const pattern = parseFunctionPattern(TOOL, positionals[0]!);
  if (pattern.kind === 'tracepoint')
    throw usageError(TOOL, 'tracepoints have no return: give a kernel or user function');
  const pid = positiveNumber(TOOL, 'pid', values['pid'], { integer: true });
  const intervalS = positiveNumber(TOOL, 'interval', values['interval']);
  const durationS = positiveNumber(TOOL, 'duration', values['duration']);
  const perProcess = values['per-process'] === true;
  const perFunction = values['per-function'] === true;
  const json = values['json'] === true;

  const backend = parseBackend(TOOL, values['backend']);

  const { targets, notes } = await expandPatterns(TOOL, [pattern], { pid, max: 500 });
  let hists = new Map<
    string,
    { fn: string | null; pid: number | null; comm: string | null; h: Log2Histogram }
  >();
  const histFor = (fn: string | null, p: number, comm: string): Log2Histogram => {
    const key = `${fn ?? ''}\0${perProcess ? p : ''}`;
    let v = hists.get(key);
    if (!v) {
      v = {
        fn,
        pid: perProcess ? p : null,
        comm: perProcess ? comm : null,
        h: new Log2Histogram(),
      };
      hists.set(key, v);
    }
    return v.h;
  };
  const out = writer(io);
  const div = UNIT_DIVISOR[unit];
  const print = (): void => {
    if (!json && intervalS !== undefined) out(`\n[${clockTime()}]`);
    for (const v of hists.values()) {
      if (json) {
        out(
          JSON.stringify({
            type: 'histogram',
            unit,
            ...(v.fn === null ? {} : { function: v.fn }),
            ...(v.pid === null ? {} : { pid: v.pid, comm: v.comm }),
            total: v.h.total,
            buckets: v.h.buckets.flatMap((count, i) => {
              if (count === 0) return [];
              const [low, high] = Log2Histogram.range(i);
              return [{ low: Number(low), high: Number(high), count }];
            }),
          }),
        );
        continue;
      }
      const title = [
        v.fn === null ? null : `Function = ${v.fn}`,
        v.pid === null ? null : `pid = ${v.pid} ${v.comm}`,
      ]
        .filter(Boolean)
        .join(', ');
      if (title) out(`\n${title}`);
      out(renderLog2(v.h, { unit }).trimEnd());
    }
    if (!json && hists.size === 0) out('(no completed calls)');
    hists = new Map();
  };
  const banner = `Tracing ${targets.length} function${targets.length === 1 ? '' : 's'} for "${positionals[0]}"... Hit Ctrl-C to end.`;

  const bpf = await startBpf(backend, () =>
    latencyHistogram(
      targets.map((t) => ({ entry: probeText(t, 'entry'), exit: probeText(t, 'return') })),
      {
        ...(pid === undefined ? { exclude: [process.pid] } : { pid }),
        perProcess,
        divisor: Number(div),
      },
    ),
  );
  announceBackend(io, TOOL, bpf.agg ? 'bpf' : 'tracefs', bpf.reason);
  if (bpf.agg) {
    const agg: LatencyHistograms = bpf.agg;
    const collect = (): void => {
      for (const r of agg.read({ reset: true })) {
        const fn = perFunction ? (targets[r.call]?.label ?? String(r.call)) : null;
        const h = histFor(fn, r.tgid ?? 0, r.comm ?? '');
        // Same buckets on both sides: bucket i holds [2^i, 2^(i+1)), bucket 0 also 0.
        r.hist.buckets.forEach((count, i) => {
          if (count > 0) h.add(i === 0 ? 0n : 1n << BigInt(i), count);
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
      if (!driven.pipeClosed && (intervalS === undefined || hists.size > 0)) print();
      const stats = agg.stats();
      return finishBpf(
        agg,
        { tool: TOOL, io, json },
        driven,
        2 * stats.paired + stats.unmatchedReturns,
        {
          paired: stats.paired,
          unmatched_returns: stats.unmatchedReturns,
        },
      );
    } finally {
      agg.close();
    }
  }

  const self = pid === undefined ? notSelfFilter() : null;
  const sideOfSpec = new Map<string, Side>();
  const specs: string[] = [];
  for (const t of targets) {
    const entry = withFilter(probeText(t, 'entry'), self);
    const ret = withFilter(probeText(t, 'return'), self);
    specs.push(entry, ret);
    sideOfSpec.set(entry, { side: 'entry', key: t.label });
    sideOfSpec.set(ret, { side: 'return', key: t.label });
  }
  const session = await trace(specs, {
    pids: pid === undefined ? undefined : [pid],
    onInterrupt: 'stop',
  });
  const sides = new Map<string, Side>();
  for (const p of session.plan.probes) {
    const s = sideOfSpec.get(p.spec.text);
    if (s) sides.set(`${p.group}/${p.event}`, s);
  }
  const pairer = new CallPairer({ classify: (ev) => sides.get(`${ev.group}/${ev.event}`) ?? null });
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
      const call = pairer.push(ev);
      if (!call) return;
      const fn = perFunction ? call.key : null;
      histFor(fn, call.tgid ?? call.pid, call.comm).add(call.latencyNs / div);
    },
  );
  if (!driven.pipeClosed && (intervalS === undefined || hists.size > 0)) print();
  return finish(session, { tool: TOOL, io, json }, driven, {
    paired: pairer.stats.paired,
    unmatched_returns: pairer.stats.unmatchedReturns,
    backend: 'tracefs',
  });
}
