/** probekit argdist: count (-C) or histogram (-H) the values a probe records. */
import {
  type Aggregation,
  type LabelledEvent,
  Log2Histogram,
  parseProbe,
  renderLog2,
  trace,
  type ValueCounter,
  type ValueHistogram,
  valueCounts,
  valueHistogram,
} from '../../index.js';
import {
  announceBackend,
  BACKEND_OPTION,
  driveBpf,
  finishBpf,
  parseBackend,
  startBpf,
} from '../common/backend.js';
import { parseToolArgs, positiveNumber, usageError } from '../common/options.js';
import { clockTime, drive, finish, type ToolIO, writer } from '../common/run.js';
import { notSelfFilter, withFilter } from '../common/self.js';
import { ArgAggregate, type Mode } from './aggregate.js';

export const usage = `probekit argdist: count or histogram the values of probe arguments

USAGE
  probekit argdist (-C SPEC | -H SPEC)... [-p PID] [-T N] [-i SECONDS] [-d SECONDS]
                   [--backend B] [--json]

  SPEC is a probe with the arguments to aggregate, in probekit's probe
  language (quote it). -C counts each distinct tuple of argument values;
  -H makes a power-of-two histogram of the first argument. Printed on Ctrl-C,
  after -d, or every -i seconds. Add 'if FILTER' to a SPEC to filter in the kernel.

OPTIONS
  -C, --count SPEC     count the values of SPEC's arguments (repeatable)
  -H, --histogram SPEC histogram of SPEC's first argument (repeatable)
  -p, --pid PID        only this process (and, with tracefs, its children)
  -T, --top N          print only the N most frequent values of each -C
  -i, --interval SECS  print (and reset) every SECS seconds
  -d, --duration SECS  stop after SECS seconds
  --backend B          bpf (aggregate in the kernel), tracefs (in user space), or
                       auto (default: BPF when allowed and every SPEC can run there)
  --json               one JSON object per probe and interval, then a summary
  -v, --verbose        print each probe and notes

EXAMPLES
  probekit argdist -H 'k:vfs_read(count)'                  # read sizes asked of the VFS
  probekit argdist -C 'u:libc:malloc(size)' -p 1234 -T 10  # the 10 commonest malloc sizes
  probekit argdist -H 'ur:libc:read(retval:s64)' -d 5      # bytes returned by read()
  probekit argdist -C 't:syscalls:sys_enter_openat(flags)' # open flags, system-wide
  probekit argdist -C 't:raw_syscalls:sys_exit(ret) if ret < 0' -i 1

OVERHEAD
  With BPF (the default as root, when every argument is an integer in a
  register or a tracepoint field and filters compare numbers) values are
  counted or bucketed in the kernel: nothing is copied per hit. Otherwise
  (strings, pointers followed, text filters) each hit is one event
  aggregated in user space through tracefs: cheap for rare calls, costly
  for hot ones; filter in the kernel with 'if'. stderr says which backend
  runs (docs/tools/argdist.md).

REQUIREMENTS
  root; what the probes need: kprobes (k:, kr:), uprobes (u:, ur:), tracepoints (t:).
`;

const OPTIONS = {
  count: { type: 'string', short: 'C', multiple: true },
  histogram: { type: 'string', short: 'H', multiple: true },
  pid: { type: 'string', short: 'p' },
  top: { type: 'string', short: 'T' },
  interval: { type: 'string', short: 'i' },
  ...BACKEND_OPTION,
} as const;

const TOOL = 'argdist';

export async function run(argv: readonly string[], io: ToolIO): Promise<number> {
  const { values, positionals } = parseToolArgs(TOOL, argv, OPTIONS);
  if (positionals.length > 0)
    throw usageError(TOOL, `unexpected argument '${positionals[0]}': give probes with -C or -H`);
  const wanted: { mode: Mode; spec: string }[] = [
    ...((values['count'] as string[] | undefined) ?? []).map((spec) => ({
      mode: 'count' as const,
      spec,
    })),
    ...((values['histogram'] as string[] | undefined) ?? []).map((spec) => ({
      mode: 'hist' as const,
      spec,
    })),
  ];
  if (wanted.length === 0) throw usageError(TOOL, 'give at least one probe with -C or -H');
  for (const w of wanted) {
    const spec = parseProbe(w.spec);
    if (spec.args === null || spec.args.length === 0)
      throw usageError(
        TOOL,
        `'${w.spec}' names no argument to aggregate`,
        "add the arguments in parentheses, e.g. 'k:vfs_read(count)' or 'u:libc:malloc(size)'",
      );
  }
  const pid = positiveNumber(TOOL, 'pid', values['pid'], { integer: true });
  const top = positiveNumber(TOOL, 'top', values['top'], { integer: true });
  const intervalS = positiveNumber(TOOL, 'interval', values['interval']);
  const durationS = positiveNumber(TOOL, 'duration', values['duration']);
  const json = values['json'] === true;

  const backend = parseBackend(TOOL, values['backend']);

  const aggList = wanted.map((w) => new ArgAggregate(w.mode, w.spec));
  const out = writer(io);
  const print = (): void => {
    if (!json && intervalS !== undefined) out(`\n[${clockTime()}]`);
    for (const a of aggList) {
      if (json) {
        out(
          JSON.stringify(
            a.mode === 'count'
              ? {
                  type: 'counts',
                  probe: a.spec,
                  counts: a.rows(top).map((r) => ({ value: r.key, count: r.count })),
                }
              : {
                  type: 'histogram',
                  probe: a.spec,
                  field: a.field,
                  total: a.hist.total,
                  buckets: a.hist.buckets.flatMap((count, i) => {
                    if (count === 0) return [];
                    const [low, high] = Log2Histogram.range(i);
                    return [{ low: Number(low), high: Number(high), count }];
                  }),
                },
          ),
        );
      } else if (a.mode === 'count') {
        out(a.spec);
        out(`\t${'COUNT'.padEnd(10)} EVENT`);
        for (const r of a.rows(top)) out(`\t${String(r.count).padEnd(10)} ${r.key}`);
      } else {
        out(a.spec);
        out(
          a.hist.total === 0
            ? '\t(no events)'
            : renderLog2(a.hist, { unit: a.field ?? 'value' }).trimEnd(),
        );
      }
      a.reset();
    }
  };
  const banner = `Tracing ${wanted.length} probe${wanted.length === 1 ? '' : 's'}... Hit Ctrl-C to end.`;

  type Kernel =
    | { readonly mode: 'count'; readonly agg: ValueCounter }
    | { readonly mode: 'hist'; readonly agg: ValueHistogram };
  const filter = pid === undefined ? { exclude: [process.pid] } : { pid };
  const bpf = await startBpf(backend, async () => {
    // Every SPEC in the kernel, or none.
    const started: Kernel[] = [];
    try {
      for (const w of wanted) {
        started.push(
          w.mode === 'count'
            ? { mode: 'count', agg: await valueCounts(w.spec, filter) }
            : { mode: 'hist', agg: await valueHistogram(w.spec, filter) },
        );
      }
      return started;
    } catch (e) {
      for (const k of started) k.agg.close();
      throw e;
    }
  });
  announceBackend(io, TOOL, bpf.agg ? 'bpf' : 'tracefs', bpf.reason);
  if (bpf.agg) {
    const kernel: Kernel[] = bpf.agg;
    let events = 0;
    const collect = (): void => {
      kernel.forEach((k, i) => {
        const a = aggList[i] as ArgAggregate;
        if (k.mode === 'count') {
          for (const r of k.agg.read({ reset: true })) {
            a.addCounted(r.values, r.count);
            events += r.count;
          }
        } else {
          const h = k.agg.read({ reset: true });
          a.addHistogram(k.agg.field, h);
          events += h.total;
        }
      });
    };
    const all = combined(kernel.map((k) => k.agg));
    try {
      const driven = await driveBpf(all, {
        tool: TOOL,
        io,
        durationS,
        intervalS,
        onInterval: () => {
          collect();
          print();
        },
        verbose: values['verbose'] === true,
        banner,
      });
      collect();
      if (!driven.pipeClosed) print();
      return finishBpf(all, { tool: TOOL, io, json }, driven, events);
    } finally {
      all.close();
    }
  }

  const self = pid === undefined ? notSelfFilter() : null;
  const aggOfSpec = new Map<string, ArgAggregate>();
  const specs = wanted.map((w, i) => {
    const s = withFilter(w.spec, self);
    aggOfSpec.set(s, aggList[i] as ArgAggregate);
    return s;
  });
  const session = await trace(specs, {
    pids: pid === undefined ? undefined : [pid],
    onInterrupt: 'stop',
  });
  const aggs = new Map<string, ArgAggregate>();
  for (const p of session.plan.probes) {
    const a = aggOfSpec.get(p.spec.text);
    if (a) aggs.set(`${p.group}/${p.event}`, a);
  }
  const driven = await drive(
    session,
    {
      tool: TOOL,
      io,
      json,
      durationS,
      intervalS,
      onInterval: print,
      verbose: values['verbose'] === true,
      banner,
    },
    (ev: LabelledEvent) => aggs.get(`${ev.group}/${ev.event}`)?.add(ev.fields),
  );
  if (!driven.pipeClosed) print();
  const skipped = aggList.reduce((n, a) => n + a.skipped, 0);
  if (skipped > 0)
    io.stderr.write(
      `probekit ${TOOL}: note: ${skipped} events had no numeric value to count and were skipped\n`,
    );
  return finish(session, { tool: TOOL, io, json }, driven, { backend: 'tracefs' });
}

/** Several aggregations seen as one (for the ready line, -v and the summary). */
function combined(list: readonly Aggregation[]): Aggregation {
  const first = list[0] as Aggregation;
  const close = (): void => {
    for (const a of list) a.close();
  };
  return {
    backend: 'bpf',
    prepared: {
      ...first.prepared,
      plan: { ...first.prepared.plan, probes: list.flatMap((a) => a.prepared.plan.probes) },
      notes: list.flatMap((a) => a.prepared.notes),
    },
    programs: list.reduce((n, a) => n + a.programs, 0),
    attached: list.flatMap((a) => a.attached),
    dropped: () => list.reduce((n, a) => n + a.dropped(), 0),
    close,
    [Symbol.dispose]: close,
  };
}
