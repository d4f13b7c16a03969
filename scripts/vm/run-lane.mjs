#!/usr/bin/env node
// The QEMU lane: boots Debian's own kernels (which have kprobes) under TCG and
// runs the compiled live tests (dist/test/live/**/*.test.js) inside each.
//
// Usage: node scripts/vm/run-lane.mjs [options] [path-substring ...]
//   --kernel ID      only this kernel (6.1, 6.12); repeatable; default: all
//   --sequential     boot the kernels one after the other (default: in parallel)
//   --budget SEC     the whole lane's limit, setup included (default 285): each
//                    guest is killed when it would overrun it
//   --timeout SEC    a per-guest limit on top of the budget (default none)
//   --cpus N         vCPUs per guest (default 1 when guests run in parallel, else 2)
//   --no-build       do not run tsc first
//   --quiet          do not echo the guests' serial consoles
// Environment: PROBEKIT_VM_CACHE (default <project>/.vm-cache), PROBEKIT_VM_BUDGET,
// PROBEKIT_VM_TIMEOUT.
// Ends with the line "N passed, N failed, N skipped"; exits 1 when any guest
// test fails, a guest crashes or hangs, or a guest sends no result.
import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { boot } from './boot.mjs';
import { ensureHostTools, staticBusybox } from './host-tools.mjs';
import { buildInitramfs } from './initramfs.mjs';
import { ensureKernels, KERNELS } from './kernels.mjs';
import { log, run, since } from './proc.mjs';
import { verdict } from './results.mjs';

const PROJECT = resolve(dirname(fileURLToPath(import.meta.url)), '../..');
const LIVE_DIST = 'dist/test/live';
const KEEP_RUNS = 3;

function parseCli() {
  const { values, positionals } = parseArgs({
    allowPositionals: true,
    options: {
      kernel: { type: 'string', multiple: true },
      sequential: { type: 'boolean', default: false },
      timeout: { type: 'string' },
      budget: { type: 'string' },
      cpus: { type: 'string' },
      'no-build': { type: 'boolean', default: false },
      quiet: { type: 'boolean', default: false },
    },
  });
  const seconds = (name, text) => {
    if (text === undefined) return undefined;
    const n = Number(text);
    if (!Number.isFinite(n) || n <= 0) throw new Error(`--${name} wants seconds, got ${text}`);
    return n;
  };
  const timeout = seconds('timeout', values.timeout ?? process.env.PROBEKIT_VM_TIMEOUT);
  const budget = seconds('budget', values.budget ?? process.env.PROBEKIT_VM_BUDGET ?? '285');
  const cpus = values.cpus === undefined ? undefined : Number(values.cpus);
  if (cpus !== undefined && !(Number.isInteger(cpus) && cpus >= 1 && cpus <= 8)) {
    throw new Error(`--cpus wants 1 to 8, got ${values.cpus}`);
  }
  const ids = values.kernel ?? KERNELS.map((k) => k.id);
  const kernels = ids.map((id) => {
    const k = KERNELS.find((x) => x.id === id);
    if (!k) throw new Error(`unknown kernel ${id}; known: ${KERNELS.map((x) => x.id).join(', ')}`);
    return k;
  });
  return { ...values, timeout, budget, cpus, kernels, filters: positionals };
}

/**
 * Which files run on which kernel. Tests of what differs between kernels
 * (kprobes, BTF, kernel facts, the lane itself) run on every kernel. The
 * portable live tests (uprobes, tracepoints, cleanup, bad input), which the
 * host runs too, are dealt out among the kernels, one kernel each: the guests
 * are 5-30 times slower than the host and the lane must fit its 5-minute budget.
 */
const EVERY_KERNEL = /kprobe|btf-|kernel-facts|doctor-list|vm-/;

function filesForKernel(files, kernel, kernels) {
  const portable = files.filter((f) => !EVERY_KERNEL.test(f));
  const index = kernels.findIndex((k) => k.id === kernel.id);
  return files.filter(
    (f) => EVERY_KERNEL.test(f) || portable.indexOf(f) % kernels.length === index,
  );
}

/**
 * Compiled live test files whose TypeScript source still exists (dist/test/live,
 * plus kprobe tests kept beside their code, e.g. test/bpf/live/kprobe.test.ts),
 * filtered by substrings.
 */
function liveTestFiles(filters) {
  const root = join(PROJECT, LIVE_DIST);
  if (!existsSync(root)) return [];
  const kprobeElsewhere = [];
  const walkAll = (dir) => {
    for (const ent of readdirSync(dir, { withFileTypes: true })) {
      const p = join(dir, ent.name);
      if (ent.isDirectory()) {
        if (p !== root) walkAll(p);
      } else if (/kprobe.*\.test\.js$/.test(ent.name)) kprobeElsewhere.push(relative(PROJECT, p));
    }
  };
  walkAll(join(PROJECT, 'dist/test'));
  const out = [];
  const walk = (dir) => {
    for (const ent of readdirSync(dir, { withFileTypes: true })) {
      const p = join(dir, ent.name);
      if (ent.isDirectory()) walk(p);
      else if (ent.name.endsWith('.test.js')) out.push(relative(PROJECT, p));
    }
  };
  walk(root);
  return [...out, ...kprobeElsewhere]
    .filter((f) => existsSync(join(PROJECT, f.replace(/^dist\//, '').replace(/\.js$/, '.ts'))))
    .filter((f) => filters.length === 0 || filters.some((s) => f.includes(s)))
    .sort();
}

async function build() {
  const tsc = join(PROJECT, 'node_modules/typescript/bin/tsc');
  const r = await run(process.execPath, [tsc, '-p', 'tsconfig.json'], { cwd: PROJECT });
  if (r.code !== 0) {
    const errors = r.stdout.split('\n').filter((l) => l.includes('error TS'));
    log(
      `tsc reported ${errors.length} error(s) (JavaScript is still emitted); first: ${errors[0] ?? r.stderr}`,
    );
  }
}

/** True when the lane process that made run folder `name` (…-<pid>) is still running. */
function runIsLive(name) {
  const pid = Number(/-(\d+)$/.exec(name)?.[1]);
  if (!pid || pid === process.pid) return pid === process.pid;
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

/** Keeps the newest KEEP_RUNS run folders (logs and results); never one another lane is using. */
function pruneRuns(runsRoot) {
  if (!existsSync(runsRoot)) return;
  const runs = readdirSync(runsRoot).sort();
  for (const old of runs.slice(0, Math.max(0, runs.length - KEEP_RUNS))) {
    if (!runIsLive(old)) rmSync(join(runsRoot, old), { recursive: true, force: true });
  }
}

/** Boots one kernel and returns its verdict plus timings. */
async function runKernel(kernel, { runRoot, files: all, busybox, opts, cpus, deadline }) {
  const files = filesForKernel(all, kernel, opts.kernels);
  // What is left of the lane's budget (2 s kept for the summary), capped by --timeout.
  const left = Math.max(1, (deadline - performance.now()) / 1000 - 2);
  const timeoutSec = Math.min(opts.timeout ?? Number.POSITIVE_INFINITY, left);
  const label = `${kernel.id} (${kernel.package} ${kernel.version})`;
  const runDir = join(runRoot, kernel.id);
  const resultsDir = join(runDir, 'results');
  mkdirSync(resultsDir, { recursive: true });
  const initrd = join(runDir, 'initrd.cpio');
  writeFileSync(
    initrd,
    buildInitramfs({ kernel, busybox, project: PROJECT, files, label: kernel.id }),
  );
  const shares = [
    { tag: 'usr', path: '/usr', readonly: true },
    { tag: 'project', path: PROJECT, readonly: true },
    { tag: 'results', path: resultsDir, readonly: false },
  ];
  const onLine = opts.quiet
    ? undefined
    : (line) => process.stdout.write(`[${kernel.id}] ${line}\n`);
  const result = await boot({
    label,
    vmlinuz: join(kernel.dir, 'vmlinuz'),
    initrd,
    shares,
    runDir,
    timeoutSec,
    memory: '1G',
    cpus,
    onLine,
  });
  rmSync(initrd, { force: true });
  const tapPath = join(resultsDir, 'results.tap');
  const tap = existsSync(tapPath) ? readFileSync(tapPath, 'utf8') : null;
  return { kernel, label, runDir, result, ...verdict(result, tap) };
}

function fmt(sec) {
  return sec === undefined ? '-' : `${sec.toFixed(1)}s`;
}

function printSummary(outcomes) {
  let pass = 0;
  let fail = 0;
  let skip = 0;
  console.log('\n== probekit VM lane summary ==');
  for (const o of outcomes) {
    const m = o.result.markers;
    const c = o.counts;
    const counts = c
      ? `${c.pass} passed, ${c.fail} failed, ${c.skip} skipped${c.partial ? ' before it stopped' : ''}`
      : 'no result';
    const bootT = m.get('BEGIN')?.host;
    const startT = m.get('TESTS-START')?.host;
    const exitT = m.get('EXIT')?.host;
    console.log(`${o.ok ? 'PASS' : 'FAIL'} ${o.label}: ${counts}`);
    console.log(
      `     boot to init ${fmt(bootT)}, mounts+modules ${fmt(startT && bootT && startT - bootT)}, ` +
        `tests ${fmt(exitT && startT && exitT - startT)}, wall ${fmt(o.result.wall)}`,
    );
    console.log(
      `     config: ${Object.entries(o.kernel.facts)
        .map(([k, v]) => `${k}=${v}`)
        .join(' ')}`,
    );
    if (c?.slowest.length) {
      const list = c.slowest.map((x) => `${x.name} ${(x.ms / 1000).toFixed(1)}s`).join('; ');
      console.log(`     slowest: ${list}`);
    }
    for (const s of c?.skipped ?? []) console.log(`     skipped: ${s}`);
    for (const f of c?.failed ?? []) console.log(`     failed: ${f}`);
    for (const p of o.problems) console.log(`     problem: ${p}`);
    console.log(`     serial log: ${relative(PROJECT, join(o.runDir, 'serial.log'))}`);
    pass += c?.pass ?? 0;
    skip += c?.skip ?? 0;
    // A kernel that failed without a failing test (crash, hang, no result) counts as one failure.
    fail += c && c.fail > 0 ? c.fail : o.ok ? 0 : 1;
  }
  return { pass, fail, skip };
}

async function main() {
  const t0 = performance.now();
  const opts = parseCli();
  const cacheDir = resolve(process.env.PROBEKIT_VM_CACHE ?? join(PROJECT, '.vm-cache'));
  mkdirSync(cacheDir, { recursive: true });

  const installed = await ensureHostTools();
  const tTools = since(t0);
  const timed = async (p) => {
    const t = performance.now();
    const v = await p;
    return [v, since(t)];
  };
  const [[kernels, tKernels], [, tBuild]] = await Promise.all([
    timed(ensureKernels(opts.kernels, cacheDir)),
    timed(opts['no-build'] ? Promise.resolve() : build()),
  ]);
  const files = liveTestFiles(opts.filters);
  if (files.length === 0)
    throw new Error(`no compiled live tests under ${LIVE_DIST} (run tsc first?)`);
  if (files.some((f) => /\s/.test(f)))
    throw new Error('test file paths must not contain whitespace');
  const busybox = staticBusybox();
  const tSetup = since(t0);
  log(
    `setup ${tSetup}s (host tools ${tTools}s${installed.length ? `, installed ${installed.join(' ')}` : ''}; ` +
      `kernels ${tKernels}s: ${kernels.map((k) => `${k.id}=${k.fetched ? 'downloaded' : 'cached'}`).join(' ')}; ` +
      `tsc ${opts['no-build'] ? 'skipped' : `${tBuild}s`}); ` +
      `${files.length} test file(s)`,
  );

  const runsRoot = join(cacheDir, 'runs');
  const runRoot = join(
    runsRoot,
    `${new Date().toISOString().replace(/[:.]/g, '-')}-${process.pid}`,
  );
  const parallel = !opts.sequential && kernels.length > 1;
  const deadline = t0 + opts.budget * 1000;
  const ctx = { runRoot, files, busybox, opts, cpus: opts.cpus ?? (parallel ? 1 : 2), deadline };
  const outcomes = [];
  if (parallel) outcomes.push(...(await Promise.all(kernels.map((k) => runKernel(k, ctx)))));
  else for (const k of kernels) outcomes.push(await runKernel(k, ctx));
  pruneRuns(runsRoot);

  const total = printSummary(outcomes);
  console.log(`lane wall ${since(t0)}s (setup ${tSetup}s)`);
  console.log(`${total.pass} passed, ${total.fail} failed, ${total.skip} skipped`);
  return outcomes.every((o) => o.ok) ? 0 : 1;
}

for (const sig of ['SIGINT', 'SIGTERM']) process.on(sig, () => process.exit(130));
main().then(
  (code) => process.exit(code),
  (e) => {
    console.error(`vm lane: ${e instanceof Error ? e.message : e}`);
    console.log('0 passed, 1 failed, 0 skipped');
    process.exit(1);
  },
);
