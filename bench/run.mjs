#!/usr/bin/env node
// probekit's benchmark (issue 6). Needs root, gcc and a build (`npx tsc -p .`).
// Side by side on one load generator (getppid loop; a non-inlined function for
// uprobes): no tracing, `cat trace_pipe` in the bench's own instance, `perf
// record`, bpftrace printing each event, and probekit's text and binary paths.
// Then offline decoding speed, BTF index time and CLI start time.
//
//   node bench/run.mjs [--quick] [--calls N] [--reps N] [--only a,b] [--no-uprobes]
//                      [--no-live] [--no-offline] [--pk-args '--buffer-kb 4096']
//                      [--compare DIR,...]   (other trees with dist/ and bench/, run side by side)
import { execFileSync, spawnSync } from 'node:child_process';
import {
  closeSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  openSync,
  readFileSync,
  rmSync,
  statSync,
} from 'node:fs';
import { cpus, tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { parseArgs } from 'node:util';
import { consumers } from './lib/consumers.mjs';
import { BenchInstance, TRACEFS } from './lib/instance.mjs';
import { buildLoad, startGated } from './lib/loadgen.mjs';
import { spawnMeasured } from './lib/measured.mjs';
import { offline } from './lib/offline.mjs';
import { fmt, median, ratio, table } from './lib/stats.mjs';

const { values: opt } = parseArgs({
  options: {
    quick: { type: 'boolean' },
    calls: { type: 'string' },
    reps: { type: 'string' },
    only: { type: 'string' },
    'no-uprobes': { type: 'boolean' },
    'no-live': { type: 'boolean' },
    'no-offline': { type: 'boolean' },
    'pk-args': { type: 'string' },
    compare: { type: 'string' },
  },
});
const CALLS = Number(opt.calls ?? (opt.quick ? 200_000 : 1_000_000));
const REPS = Number(opt.reps ?? (opt.quick ? 1 : 3));
const ONLY = opt.only ? new Set(['none', ...opt.only.split(',')]) : null;
/** Other probekit trees (each with dist/ and bench/) run side by side, e.g. a build of the previous commit. */
const COMPARE = opt.compare ? opt.compare.split(',').map((d) => resolve(d)) : [];
const PK_ARGS = opt['pk-args'] ? opt['pk-args'].split(/\s+/).filter(Boolean) : [];

if (!existsSync(new URL('../dist/src/cli/bin.js', import.meta.url))) {
  console.error('bench: build first: npx tsc -p .');
  process.exit(1);
}

// Everything started is tracked, so Ctrl-C (or a crash) kills it and removes the instance.
const children = new Set();
const track = (c) => {
  children.add(c);
  c.on?.('exit', () => children.delete(c));
};
const benchName = `pkbench_${process.pid}`;
const dir = mkdtempSync(join(tmpdir(), 'pkbench-'));
const outDir = existsSync('/dev/shm') ? mkdtempSync('/dev/shm/pkbench-') : dir;
let cleaned = false;
function cleanup() {
  if (cleaned) return;
  cleaned = true;
  for (const c of children) {
    try {
      c.kill('SIGINT');
    } catch {
      // Gone.
    }
  }
  const until = Date.now() + 2000;
  while ([...children].some((c) => alive(c.pid)) && Date.now() < until)
    spawnSync('sleep', ['0.05']);
  for (const c of children) {
    try {
      if (alive(c.pid)) c.kill('SIGKILL');
    } catch {
      // Gone.
    }
  }
  new BenchInstance(benchName, 'syscalls/sys_enter_getppid').remove();
  rmSync(dir, { recursive: true, force: true });
  rmSync(outDir, { recursive: true, force: true });
}
function alive(pid) {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}
for (const sig of ['SIGINT', 'SIGTERM', 'SIGHUP']) {
  process.on(sig, () => {
    console.error(`\nbench: ${sig}: stopping children, removing ${benchName}`);
    cleanup();
    process.exit(130);
  });
}
process.on('exit', cleanup);

async function waitFor(pred, ms, what) {
  const until = Date.now() + ms;
  while (Date.now() < until) {
    if (pred()) return;
    await sleep(20);
  }
  throw new Error(`timed out waiting for ${what}`);
}

/** Waits until progress() stops changing for quietMs (the consumer has drained). */
async function settled(progress, quietMs, maxMs) {
  let last = progress();
  let since = Date.now();
  const until = Date.now() + maxMs;
  while (Date.now() < until) {
    await sleep(50);
    const now = progress();
    if (now !== last) {
      last = now;
      since = Date.now();
    } else if (Date.now() - since >= quietMs) return;
  }
}

async function runOne(exe, mode, calls, consumer) {
  const load = await startGated(exe, mode, calls, track);
  const c = {
    pid: load.pid,
    exe,
    mode,
    out: join(outDir, `${consumer.key}.out`),
    err: join(outDir, `${consumer.key}.err`),
    data: join(outDir, `${consumer.key}.data`),
    stats: join(outDir, `${consumer.key}.time`),
    pkArgs: PK_ARGS,
  };
  let m = null;
  try {
    const argv = consumer.argv(c);
    if (argv) {
      const out = openSync(c.out, 'w');
      const err = openSync(c.err, 'w');
      m = await spawnMeasured(argv, { stdout: out, stderr: err, statsFile: c.stats, track });
      closeSync(out);
      closeSync(err);
      let exited = false;
      m.wait().then(() => {
        exited = true;
      });
      await waitFor(
        () => exited || consumer.ready(m.pid, c),
        30_000,
        `${consumer.label} to attach`,
      );
      if (exited)
        throw new Error(
          `${consumer.label} exited before attaching: ${readFileSync(c.err, 'utf8').trim().split('\n').slice(-3).join(' / ')}`,
        );
      await sleep(consumer.settleMs ?? 100);
    }
    const t0 = Date.now();
    load.go();
    const ns = await load.done;
    const loadMs = Date.now() - t0;
    if (!m) return { ns, loadMs };
    await settled(() => statSync(c.out).size, 400, 120_000);
    m.signal(consumer.stopSignal ?? 'SIGINT');
    const usage = await Promise.race([m.wait(), sleep(30_000).then(() => null)]);
    if (!usage) throw new Error(`${consumer.label} did not stop`);
    return { ns, loadMs, cpuS: usage.cpuS, rssMb: usage.rssKb / 1024, ...consumer.result(c) };
  } finally {
    load.done.catch(() => {});
    if (load.child.exitCode === null && load.child.signalCode === null) load.child.kill('SIGKILL');
    consumer.cleanup?.();
    for (const f of [c.out, c.err, c.data, c.stats]) rmSync(f, { force: true });
  }
}

async function live(exe, mode, calls) {
  const list = consumers(benchName, COMPARE).filter(
    (k) => k.modes.includes(mode) && (!ONLY || ONLY.has(k.key.split('@')[0])),
  );
  const skipped = new Map();
  for (const k of list) {
    const why = k.missing?.();
    if (why) skipped.set(k.key, why);
  }
  const runs = new Map(list.map((k) => [k.key, []]));
  for (let rep = 1; rep <= REPS; rep++) {
    for (const k of list) {
      if (skipped.has(k.key)) continue;
      let r;
      for (let attempt = 1; attempt <= 2 && !r; attempt++) {
        try {
          r = await runOne(exe, mode, calls, k);
        } catch (e) {
          console.error(`  ${k.label}: ${e.message}${attempt === 1 ? ' (retrying)' : ''}`);
        }
      }
      if (!r) continue;
      runs.get(k.key).push({ rep, ...r });
      console.error(
        `  [${mode} ${rep}/${REPS}] ${k.label.padEnd(30)} ${fmt(r.ns)} ns/iter` +
          (r.cpuS === undefined
            ? ''
            : `, ${r.delivered} delivered, ${r.lost ?? '?'} lost, ${fmt(r.cpuS)} CPU s, ${fmt(r.rssMb, 0)} MB`),
      );
    }
  }
  return { list, runs, skipped };
}

/** Per-run ratios against a peer of the same repetition, then their median. */
function sameRunRatio(runs, key, peer, field) {
  const mine = runs.get(key) ?? [];
  const theirs = runs.get(peer) ?? [];
  return median(
    mine.map((r) => ratio(r[field], theirs.find((p) => p.rep === r.rep)?.[field] ?? null)),
  );
}

function report(calls, { list, runs, skipped }) {
  const rows = list.map((k) => {
    if (skipped.has(k.key))
      return [k.label, `skipped: ${skipped.get(k.key)}`, '', '', '', '', '', '', '', '', '', ''];
    const rs = runs.get(k.key);
    if (rs.length === 0) return [k.label, 'failed', '', '', '', '', '', '', '', '', '', ''];
    const none = k.key === 'none';
    return [
      k.label,
      none ? '-' : `${fmt(median(rs.map((r) => r.delivered)), 0)}/${calls}`,
      none ? '-' : fmt(median(rs.map((r) => r.lost)), 0),
      fmt(median(rs.map((r) => r.ns)), 1),
      none ? '1.00' : fmt(sameRunRatio(runs, k.key, 'none', 'ns')),
      none ? '-' : fmt(sameRunRatio(runs, k.key, 'perf', 'ns')),
      none ? '-' : fmt(median(rs.map((r) => r.cpuS))),
      none ? '-' : fmt(median(rs.map((r) => (r.delivered ? (r.cpuS / r.delivered) * 1e6 : null)))),
      none ? '-' : fmt(sameRunRatio(runs, k.key, 'cat', 'cpuS')),
      none ? '-' : fmt(sameRunRatio(runs, k.key, 'perf', 'cpuS')),
      none ? '-' : fmt(median(rs.map((r) => r.rssMb)), 0),
      `${rs.length}`,
    ];
  });
  return table(
    [
      'consumer',
      'delivered',
      'lost (said)',
      'ns/iter',
      'x none',
      'x perf',
      'CPU s',
      'CPU us/event',
      'CPU x cat',
      'CPU x perf',
      'peak RSS MB',
      'runs',
    ],
    rows,
  );
}

if (process.getuid?.() !== 0) {
  console.error('bench: needs root (tracefs, perf, bpftrace)');
  process.exit(1);
}
const started = new Date();
const header = [
  `probekit bench — ${started.toISOString()}`,
  `command: node bench/run.mjs ${process.argv.slice(2).join(' ')}`.trim(),
  `machine: ${cpus().length} x ${cpus()[0]?.model ?? '?'}, kernel ${execFileSync('uname', ['-r']).toString().trim()}, node ${process.version}, tracefs ${TRACEFS}`,
  `workload: ${CALLS} calls per run, ${REPS} repetition(s); medians; ratios taken within each repetition`,
];
console.log(header.join('\n'));
if (!opt['no-live']) {
  const exe = buildLoad(dir);
  mkdirSync(outDir, { recursive: true });
  console.log(`\n## getppid() loop, traced by syscalls:sys_enter_getppid\n`);
  console.log(report(CALLS, await live(exe, 'syscall', CALLS)));
  if (!opt['no-uprobes']) {
    // A uprobe hit costs microseconds (a trap), so this loop runs a tenth as many calls.
    const calls = Math.max(1000, Math.round(CALLS / 10));
    console.log(`\n## non-inlined function loop (${calls} calls), uprobe on pk_bench_work\n`);
    console.log(report(calls, await live(exe, 'func', calls)));
  }
}
if (!opt['no-offline']) console.log(`\n${await offline(opt.quick)}`);
console.log(`\ntook ${((Date.now() - started.getTime()) / 1000).toFixed(0)} s`);
cleanup();
