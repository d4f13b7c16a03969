import { CallPairer } from '../../analysis/pairing.js';
import { loadBpfPrograms } from '../../api/bpf-source.js';
import { classifierFor } from '../../api/pairing-keys.js';
import { prepare } from '../../api/prepare.js';
import { type Backend, type BackendChoice, chooseBackend, trace } from '../../api/trace.js';
import { describe as describeTarget } from '../../bpf/attach.js';
import { disasm } from '../../bpf/insn/disasm.js';
import { UsageError } from '../../errors.js';
import { LineBatcher } from '../../output/batch.js';
import {
  formatTimestamp,
  jsonLine,
  type LabelledEvent,
  TEXT_HEADER,
  textLine,
} from '../../output/format-event.js';
import { textValue } from '../../output/values.js';
import type { BpfProbePlan } from '../../plan/bpf/types.js';
import { numberOption, parseCommandArgs } from '../args.js';
import { watchClosedStdout } from '../closed-stdout.js';
import type { CommandIO } from '../command.js';

export const usage = `probekit trace: put probes in, print what they record, take them out

USAGE
  probekit trace SPEC... [-p PID] [-c CMD] [-d SECONDS] [-n COUNT] [--json] [--latency]
                 [--backend bpf|tracefs|auto] [--dump] [--dry-run] [-v]

  Each SPEC is one probe (quote it for the shell). Tracing stops at Ctrl-C,
  after -d seconds, after -n events, or when the -c command exits; then a
  summary is printed and every probe is removed.

OPTIONS
  -p, --pid PID        trace only this process (all threads) and its children
  -c, --command CMD    start CMD, trace it and its children, stop when it exits
  -d, --duration SECS  stop after this many seconds
  -n, --count N        stop after N events
  --json               one JSON object per line (see docs/events.md)
  --latency            pair entries with returns per thread and print each call's latency
  --dry-run            print the plan (the lines that would be written) and write nothing
  --buffer-kb N        per-CPU buffer of this run's instance, KiB
  --decode MODE        tracefs backend: raw (binary pages, default where readable), text
                       (trace_pipe), auto; implies --backend tracefs unless one is given
  --backend B          bpf (generated programs: filters run in the kernel), tracefs, or
                       auto (default: BPF when allowed and every probe can run there)
  --dump               print the BPF programs (loaded and verified, not attached) and exit
  -v, --verbose        print the plan and notes before tracing

PROBES
  k:FUNC(ARGS)  kr:FUNC(retval)  u:PATH:SYMBOL(ARGS)  ur:PATH:SYMBOL(retval)  t:GROUP:EVENT
  add 'if FILTER' after a probe to keep only matching events

EXAMPLES
  probekit trace 't:syscalls:sys_enter_openat(filename)' -c 'cat /etc/hostname'
                                   # files opened by one command
  probekit trace 't:syscalls:sys_enter_openat if dfd == -100' -d 5
                                   # opens relative to the cwd for 5 seconds
  probekit trace 'u:/bin/bash:readline' 'ur:/bin/bash:readline(retval:string)' -p 1234
                                   # what a shell reads
  probekit trace 'u:libc:malloc(size)' 'ur:libc:malloc(retval)' --latency -c 'ls'
                                   # malloc latency of one command
  probekit trace 'k:do_sys_openat2(dfd:s32, filename:ustring)' 'kr:do_sys_openat2(retval:s64)' -n 20
                                   # kernel opens (needs a kernel with kprobes)

REQUIREMENTS
  root; tracefs (mounted automatically when missing); uprobes, tracepoints
  or kprobes in the kernel as the probes need ('probekit doctor' tells).
`;

const OPTIONS = {
  pid: { type: 'string', short: 'p' },
  command: { type: 'string', short: 'c' },
  duration: { type: 'string', short: 'd' },
  count: { type: 'string', short: 'n' },
  json: { type: 'boolean' },
  latency: { type: 'boolean' },
  'dry-run': { type: 'boolean' },
  'buffer-kb': { type: 'string' },
  decode: { type: 'string' },
  backend: { type: 'string' },
  dump: { type: 'boolean' },
  verbose: { type: 'boolean', short: 'v' },
} as const;

export async function run(argv: readonly string[], io: CommandIO): Promise<number> {
  const { values, positionals } = parseCommandArgs('trace', argv, OPTIONS);
  if (positionals.length === 0) {
    throw new UsageError('E_USAGE', 'probekit trace: give at least one probe', {
      hint: "e.g. probekit trace 't:syscalls:sys_enter_openat' -d 5; 'probekit trace --help' for more",
    });
  }
  const pid = numberOption('trace', 'pid', values['pid'], { integer: true });
  const duration = numberOption('trace', 'duration', values['duration']);
  const count = numberOption('trace', 'count', values['count'], { integer: true });
  const bufferKb = numberOption('trace', 'buffer-kb', values['buffer-kb'], { integer: true });
  const decode = (values['decode'] as string | undefined) ?? 'auto';
  if (!['auto', 'raw', 'text'].includes(decode)) {
    throw new UsageError(
      'E_USAGE',
      `probekit trace: --decode is raw, text or auto, not '${decode}'`,
    );
  }
  // --decode chooses how tracefs events are read: asking for it means tracefs.
  const backend =
    (values['backend'] as string | undefined) ??
    (values['decode'] !== undefined ? 'tracefs' : 'auto');
  if (!['auto', 'bpf', 'tracefs'].includes(backend)) {
    throw new UsageError(
      'E_USAGE',
      `probekit trace: --backend is bpf, tracefs or auto, not '${backend}'`,
    );
  }
  if (backend === 'bpf' && values['decode'] !== undefined) {
    throw new UsageError(
      'E_USAGE',
      'probekit trace: --decode is for the tracefs backend, not BPF',
      {
        hint: 'drop --decode, or use --backend tracefs',
      },
    );
  }
  const json = values['json'] === true;
  const batch = new LineBatcher(io.stdout);
  const out = (line: string): void => batch.line(line);

  if (values['dump']) {
    if (backend === 'tracefs') {
      throw new UsageError(
        'E_USAGE',
        'probekit trace: --dump shows BPF programs; with --backend tracefs use --dry-run',
      );
    }
    const prepared = await prepare(positionals, { pid });
    out(dumpPrograms(chooseBackend(prepared.plan, 'bpf').bpf ?? []));
    batch.flush();
    return 0;
  }

  if (values['dry-run']) {
    const prepared = await prepare(positionals, { pid });
    if (json)
      out(
        JSON.stringify({
          type: 'plan',
          group: prepared.plan.group,
          probes: prepared.plan.probes.map((p) => ({
            probe: p.spec.text,
            file: p.file,
            definition: p.definition,
            filter: p.filter,
            removal: p.removal,
          })),
          files: prepared.plan.files,
        }),
      );
    else out(describePlan(prepared.plan.probes));
    batch.flush();
    return 0;
  }

  const session = await trace(positionals, {
    pids: pid === undefined ? undefined : [pid],
    command: values['command'] as string | undefined,
    bufferKb,
    decode: decode as 'auto' | 'raw' | 'text',
    backend: backend as Backend,
    onInterrupt: 'stop',
  });
  // `probekit trace ... | head`: a closed stdout ends the run quietly, cleanly.
  const pipe = watchClosedStdout(io.stdout, () => session.stop());
  const timer = duration === undefined ? null : setTimeout(() => session.stop(), duration * 1000);
  if (values['verbose'])
    io.stderr.write(
      `${describePlan(session.plan.probes)}\n${session.prepared.notes.map((n) => `note: ${n}\n`).join('')}`,
    );
  if (values['verbose'] || session.backend.reason)
    io.stderr.write(`probekit: ${backendLine(session.backend)}\n`);
  if (session.prepared.mounted)
    io.stderr.write(`probekit: mounted tracefs at ${session.prepared.root}\n`);
  for (const s of session.swept.eventsRemoved)
    io.stderr.write(`probekit: swept ${s}, left by a run that died\n`);

  const pairer = values['latency']
    ? new CallPairer({ classify: classifierFor(session.plan) })
    : null;
  let printed = 0;
  if (!json && !pairer) out(TEXT_HEADER);
  if (!json && pairer)
    out(
      `${'TIME(s)'.padEnd(16)} ${'COMM'.padEnd(16)} ${'PID'.padStart(7)} ${'TID'.padStart(7)} ${'LAT(us)'.padStart(12)} CALL`,
    );
  try {
    for await (const item of session.events()) {
      if (pipe.closed) break;
      if (item.type !== 'event') {
        if (json) out(jsonLine(item));
        else if (item.type === 'lost')
          io.stderr.write(
            `probekit: warning: ${item.count} events lost on CPU ${item.cpu} (${item.source})\n`,
          );
        else if (values['verbose'])
          io.stderr.write(`probekit: could not decode: ${item.message}\n`);
        continue;
      }
      if (count !== undefined && printed >= count) continue;
      if (pairer) {
        const call = pairer.push(item);
        if (!call) continue;
        if (json)
          out(
            JSON.stringify({
              type: 'call',
              probe: item.probe,
              comm: call.comm,
              pid: call.tgid ?? call.pid,
              tid: call.pid,
              entry_ns: call.entryNs.toString(),
              latency_ns: Number(call.latencyNs),
              args: Object.fromEntries(
                Object.entries(call.entryFields).map(([k, v]) => [k, textValue(v)]),
              ),
              retval: call.returnValue === null ? null : textValue(call.returnValue),
            }),
          );
        else
          out(
            latencyLine(
              call.entry as LabelledEvent,
              call.latencyNs,
              call.returnValue === null ? '' : textValue(call.returnValue),
            ),
          );
      } else {
        out(json ? jsonLine(item) : textLine(item as LabelledEvent));
      }
      printed++;
      if (count !== undefined && printed >= count) session.stop();
    }
  } finally {
    if (timer) clearTimeout(timer);
    if (!pipe.closed) batch.flush();
  }
  const report = await session.close();
  const stats = session.stats;
  if (json && !pipe.closed) {
    out(
      JSON.stringify({
        type: 'summary',
        events: stats.events,
        lost: stats.lost,
        decode_errors: stats.decodeErrors,
        probes_removed: report.probesRemoved,
        backend: session.backend.backend,
        leftovers: report.leftovers,
      }),
    );
    batch.flush();
  } else {
    io.stderr.write(
      `probekit: ${stats.events} events, ${stats.lost} lost${stats.decodeErrors ? `, ${stats.decodeErrors} undecodable` : ''}; ${report.probesRemoved} probes removed${report.leftovers.length ? `; could not remove: ${report.leftovers.join(', ')}` : ''}\n`,
    );
  }
  // Let the last writes finish (or fail with EPIPE, quietly) before we stop listening.
  await new Promise((resolve) => setImmediate(resolve));
  pipe.dispose();
  if (session.command) {
    const code = await session.command.exited;
    if (code !== 0 && !json) io.stderr.write(`probekit: the command exited with status ${code}\n`);
  }
  return report.leftovers.length > 0 ? 1 : 0;
}

function backendLine(b: BackendChoice): string {
  if (b.backend === 'bpf') return 'backend: BPF (generated programs; filters run in the kernel)';
  return `backend: tracefs${b.reason ? ` (BPF not used: ${b.reason})` : ''}`;
}

/** Loads every program (the verifier checks them), prints them, and attaches nothing. */
function dumpPrograms(plans: readonly BpfProbePlan[]): string {
  const loaded = loadBpfPrograms(plans, { name: 'dump' }, false);
  try {
    const lines: string[] = [];
    plans.forEach((p, i) => {
      const prog = loaded.programs[i]!;
      lines.push(`# ${p.probe}`);
      lines.push(
        `# ${describeTarget(p.target)}; ${prog.insns.length} instructions; record ${p.recordSize} bytes`,
      );
      for (const s of p.slots)
        lines.push(
          `#   ${String(s.offset).padStart(5)} ${s.name} (${s.kind}, ${s.bytes} bytes)${p.hidden.includes(s.name) ? ' for the filter' : ''}`,
        );
      lines.push(disasm(prog.insns), '');
    });
    return lines.join('\n');
  } finally {
    loaded.owner.close();
  }
}

function latencyLine(e: LabelledEvent, latencyNs: bigint, ret: string): string {
  const args = Object.entries(e.fields)
    .map(([k, v]) => `${k}=${textValue(v)}`)
    .join(', ');
  const us = (Number(latencyNs) / 1000).toFixed(3);
  return `${formatTimestamp(e.timestampNs).padEnd(16)} ${e.comm.padEnd(16)} ${String(e.tgid ?? e.pid).padStart(7)} ${String(e.pid).padStart(7)} ${us.padStart(12)} ${e.probe.replace(/\(.*$/, '')}(${args})${ret ? ` = ${ret}` : ''}`;
}

function describePlan(
  probes: readonly {
    spec: { text: string };
    file: string | null;
    definition: string | null;
    filter: string | null;
    group: string;
    event: string;
  }[],
): string {
  const lines: string[] = [];
  for (const p of probes) {
    lines.push(p.spec.text);
    if (p.definition) lines.push(`  append to ${p.file}: ${p.definition}`);
    else lines.push(`  tracepoint ${p.group}/${p.event} (nothing to define)`);
    if (p.filter) lines.push(`  filter: ${p.filter}`);
  }
  return lines.join('\n');
}
