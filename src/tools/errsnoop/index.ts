/** probekit errsnoop: calls that fail with a negative errno, with the error name and arguments. */
import { CallPairer, type LabelledEvent, type Side, textValue, trace } from '../../index.js';
import { errnoName } from '../common/errno.js';
import { expandPatterns, probeText } from '../common/expand.js';
import { parseToolArgs, positiveNumber, usageError } from '../common/options.js';
import { parseFunctionPattern } from '../common/patterns.js';
import { drive, finish, relativeSeconds, type ToolIO, writer } from '../common/run.js';
import { notSelfFilter, withFilter } from '../common/self.js';
import { ERROR_RETURN_FILTER, errnoOfReturn } from './errors.js';

export const usage = `probekit errsnoop: show calls that fail with a negative errno

USAGE
  probekit errsnoop [-p PID] [-t] [-d SECONDS] [--json] FUNCTION[(ARGS)]...

  Probes the entry and the return of each FUNCTION (a pattern, with optional
  arguments to record in probekit's probe language); the kernel keeps only
  returns in the errno range (-4095..-1, also as a 32-bit int), and each is
  printed with its process, error name and the arguments it was called with.

FUNCTIONS
  k:do_sys_openat2(dfd:s32, filename:ustring)   a kernel function (needs kprobes)
  'vfs_*'                                       kernel functions by pattern
  'u:/path/app:parse*'                          user functions by pattern
  'u:libc:posix_spawn'                          (most libc calls return -1 and
                                                set errno: use a syscall tracer)

OPTIONS
  -p, --pid PID        only this process (and its children)
  -t, --timestamp      a TIME(s) column: seconds since tracing began
  -d, --duration SECS  stop after SECS seconds
  --json               one JSON object per failed call (type "error"), then a summary
  -v, --verbose        print each probe and notes

EXAMPLES
  probekit errsnoop 'k:do_sys_openat2(dfd:s32, filename:ustring)'   # failed opens
  probekit errsnoop 'k:security_*' -p 1234                          # LSM denials of a process
  probekit errsnoop 'u:./server:handle_*(req:x64)' -t               # a program's own -errno returns

OVERHEAD
  Every entry is an event (to pair arguments with the failing return); the
  returns are filtered in the kernel (docs/tools/errsnoop.md).

REQUIREMENTS
  root; kprobes and kretprobes for kernel functions, uprobes for user ones.
`;

const OPTIONS = {
  pid: { type: 'string', short: 'p' },
  timestamp: { type: 'boolean', short: 't' },
} as const;

const TOOL = 'errsnoop';

export async function run(argv: readonly string[], io: ToolIO): Promise<number> {
  const { values, positionals } = parseToolArgs(TOOL, argv, OPTIONS);
  if (positionals.length === 0) throw usageError(TOOL, 'give at least one function');
  const pid = positiveNumber(TOOL, 'pid', values['pid'], { integer: true });
  const durationS = positiveNumber(TOOL, 'duration', values['duration']);
  const json = values['json'] === true;
  const showTime = values['timestamp'] === true;

  // FUNCTION(ARGS): the pattern, and the argument list kept for the entry probe.
  const parsed = positionals.map((text) => {
    const m = /^([^(]*?)(\(.*\))?$/s.exec(text.trim());
    const pattern = parseFunctionPattern(TOOL, m?.[1] ?? text);
    if (pattern.kind === 'tracepoint')
      throw usageError(TOOL, `'${text}': tracepoints have no return value; give a function`);
    return { pattern, args: m?.[2] ?? '' };
  });
  const self = pid === undefined ? notSelfFilter() : null;
  const sideOfSpec = new Map<string, Side>();
  const specs: string[] = [];
  const allNotes: string[] = [];
  for (const p of parsed) {
    const { targets, notes } = await expandPatterns(TOOL, [p.pattern], { pid, max: 500 });
    allNotes.push(...notes);
    for (const t of targets) {
      const entry = withFilter(probeText(t, 'entry', p.args), self);
      const ret = withFilter(
        probeText(t, 'return', '(retval:s64)'),
        [`(${ERROR_RETURN_FILTER})`, self].filter(Boolean).join(' && '),
      );
      specs.push(entry, ret);
      sideOfSpec.set(entry, { side: 'entry', key: t.label });
      sideOfSpec.set(ret, { side: 'return', key: t.label });
    }
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
  // Only failing returns come: successful calls' entries wait on the stack until
  // a later failure of the same thread finds the newest one, or expire.
  const pairer = new CallPairer({
    classify: (ev) => sides.get(`${ev.group}/${ev.event}`) ?? null,
    returnField: 'retval',
    expireNs: 60_000_000_000n,
  });
  const startNs = process.hrtime.bigint();
  const out = writer(io);
  if (!json)
    out(
      `${showTime ? `${'TIME(s)'.padEnd(10)} ` : ''}${'PID'.padStart(7)} ${'TID'.padStart(7)} ${'COMM'.padEnd(16)} ${'ERROR'.padEnd(12)} CALL`,
    );
  let shown = 0;
  const driven = await drive(
    session,
    {
      tool: TOOL,
      io,
      json,
      durationS,
      notes: allNotes,
      verbose: values['verbose'] === true,
      banner: `Tracing failing calls of ${specs.length / 2} function${specs.length === 2 ? '' : 's'}... Hit Ctrl-C to end.`,
    },
    (ev: LabelledEvent) => {
      const call = pairer.push(ev);
      if (!call || (typeof call.returnValue !== 'bigint' && typeof call.returnValue !== 'number'))
        return;
      const errno = errnoOfReturn(call.returnValue);
      if (errno === null) return;
      shown++;
      const pidOf = call.tgid ?? call.pid;
      if (json) {
        out(
          JSON.stringify({
            type: 'error',
            time_ns: Number(call.returnNs),
            pid: pidOf,
            tid: call.pid,
            comm: call.comm,
            function: call.key,
            ret: -errno,
            errno: errnoName(errno),
            latency_ns: Number(call.latencyNs),
            args: Object.fromEntries(
              Object.entries(call.entryFields).map(([k, v]) => [k, textValue(v)]),
            ),
          }),
        );
        return;
      }
      const args = Object.entries(call.entryFields)
        .map(([k, v]) => `${k}=${textValue(v)}`)
        .join(', ');
      out(
        `${showTime ? `${relativeSeconds(call.returnNs, startNs).padEnd(10)} ` : ''}${String(pidOf).padStart(7)} ${String(call.pid).padStart(7)} ${call.comm.padEnd(16)} ${errnoName(errno).padEnd(12)} ${call.key}(${args}) = -${errno}`,
      );
    },
  );
  return finish(session, { tool: TOOL, io, json }, driven, { errors: shown });
}
