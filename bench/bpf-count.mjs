#!/usr/bin/env node
// In-kernel counting of getppid: probekit's generated BPF vs bpftrace `@[comm] = count()`.
// Reports the cost per call the probe adds (ns) and the time from start to attached (ms):
// for the library, from the call to the counter attached; for the CLI (`probekit funccount
// --backend bpf`) and bpftrace, from spawning the process to its ready line.
// Needs root, gcc, and bpftrace for the comparison (apt-get install -y bpftrace).
// Usage: node bench/bpf-count.mjs [calls=2000000] [rounds=3]      (after `npx tsc -p .`)
import { execFileSync, spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { startCounter } from '../dist/src/bpf/index.js';

const CALLS = Number(process.argv[2] ?? 2_000_000);
const ROUNDS = Number(process.argv[3] ?? 3);

if (process.getuid?.() !== 0) {
  console.error('bpf-count: needs root');
  process.exit(1);
}

const dir = mkdtempSync(join(tmpdir(), 'probekit-bench-'));
const exe = join(dir, 'getppid_load');
writeFileSync(
  `${exe}.c`,
  `#include <stdio.h>
#include <stdlib.h>
#include <time.h>
#include <unistd.h>
#include <sys/syscall.h>
int main(int argc, char **argv) {
  long n = atol(argv[1]);
  struct timespec a, b;
  clock_gettime(CLOCK_MONOTONIC, &a);
  for (long i = 0; i < n; i++) syscall(SYS_getppid);
  clock_gettime(CLOCK_MONOTONIC, &b);
  printf("%.2f\\n", ((b.tv_sec - a.tv_sec) * 1e9 + (b.tv_nsec - a.tv_nsec)) / n);
  return 0;
}
`,
);
execFileSync('gcc', ['-O2', '-o', exe, `${exe}.c`]);

/** ns per getppid call, measured inside the generator. */
function load() {
  return Number(
    execFileSync(exe, [String(CALLS)])
      .toString()
      .trim(),
  );
}

const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

async function probekitRound(r) {
  // Same key as bpftrace (comm), no pid filter.
  const t0 = performance.now();
  const c = startCounter({
    target: { kind: 'tracepoint', group: 'syscalls', event: 'sys_enter_getppid' },
    key: { by: 'comm' },
  });
  r.startMs.push(performance.now() - t0);
  try {
    r.ns.push(load());
    r.counted.push(c.counts().get('getppid_load') ?? 0n);
  } finally {
    c.close();
  }
}

const CLI = join(dirname(fileURLToPath(import.meta.url)), '../dist/src/cli/bin.js');

/** The CLI as a user runs it: process start to "Hit Ctrl-C", the load, Ctrl-C, the JSON counts. */
async function cliRound(r) {
  const t0 = performance.now();
  const p = spawn(
    process.execPath,
    [CLI, 'funccount', '--backend', 'bpf', '--json', 't:syscalls:sys_enter_getppid'],
    { stdio: ['ignore', 'pipe', 'pipe'] },
  );
  let out = '';
  let err = '';
  p.stdout.on('data', (d) => {
    out += d;
  });
  await new Promise((resolve, reject) => {
    p.stderr.on('data', (d) => {
      err += d;
      if (err.includes('Hit Ctrl-C to end.')) resolve();
    });
    p.on('exit', () => reject(new Error(`funccount exited before it was ready: ${err}`)));
  });
  r.startMs.push(performance.now() - t0);
  r.ns.push(load());
  const exited = new Promise((res) => p.on('close', res));
  p.kill('SIGINT');
  await exited;
  const counts = out
    .split('\n')
    .filter((l) => l.startsWith('{'))
    .map((l) => JSON.parse(l))
    .find((e) => e.type === 'counts');
  r.counted.push(BigInt(counts?.counts?.[0]?.count ?? 0));
}

async function bpftraceRound(r) {
  const t0 = performance.now();
  const p = spawn(
    'bpftrace',
    [
      '-e',
      'BEGIN { printf("ready\\n"); } tracepoint:syscalls:sys_enter_getppid { @[comm] = count(); }',
    ],
    { stdio: ['ignore', 'pipe', 'ignore'] }, // bpftrace warns about RLIMIT_MEMLOCK on new kernels
  );
  let out = '';
  await new Promise((resolve) => {
    p.stdout.on('data', (d) => {
      out += d;
      if (out.includes('ready')) resolve();
    });
  });
  r.startMs.push(performance.now() - t0);
  r.ns.push(load());
  const exited = new Promise((res) => p.on('exit', res));
  p.kill('SIGINT');
  await exited;
  const m = /@\[getppid_load\]: (\d+)/.exec(out);
  r.counted.push(m ? BigInt(m[1]) : 0n);
}

// Rounds interleave the baseline and each backend so machine noise hits them alike;
// "added" is the median of per-round differences from the baseline measured just before.
const haveBpftrace = spawnSync('bpftrace', ['--version']).status === 0;
const base = [];
const pk = { ns: [], startMs: [], counted: [], added: [] };
const cli = { ns: [], startMs: [], counted: [], added: [] };
const bt = haveBpftrace ? { ns: [], startMs: [], counted: [], added: [] } : null;
load(); // warm up
for (let i = 0; i < ROUNDS; i++) {
  const b = load();
  base.push(b);
  await probekitRound(pk);
  pk.added.push(pk.ns[i] - b);
  await cliRound(cli);
  cli.added.push(cli.ns[i] - b);
  if (bt) {
    await bpftraceRound(bt);
    bt.added.push(bt.ns[i] - b);
  }
}

const fmt = (x) => x.toFixed(1).padStart(8);
console.log(
  `getppid x ${CALLS}, ${ROUNDS} rounds, medians; kernel ${execFileSync('uname', ['-r']).toString().trim()}`,
);
console.log(
  `${'backend'.padEnd(30)}${'ns/call'.padStart(8)}${'added'.padStart(8)}${'start ms'.padStart(10)}  counted`,
);
console.log(`${'no probe'.padEnd(30)}${fmt(median(base))}${fmt(0)}${''.padStart(10)}`);
const row = (name, r) =>
  console.log(
    `${name.padEnd(30)}${fmt(median(r.ns))}${fmt(median(r.added))}${fmt(median(r.startMs)).padStart(10)}  ${r.counted.join(', ')}`,
  );
row('probekit library, comm key', pk);
row('probekit funccount CLI', cli);
if (bt) row('bpftrace @[comm] = count()', bt);
else console.log('bpftrace: not installed (apt-get install -y bpftrace)');
