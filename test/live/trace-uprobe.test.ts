/**
 * probekit trace on this machine's kernel: uprobes and uretprobes on a C
 * program built here and on libc, arguments, user strings, return values and
 * latency; tracepoints with -c, a filter and -p following a child.
 */
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { jsonLines, runCli, startCli, waitFor } from '../helpers/cli.js';
import {
  buildC,
  probekitLeftovers,
  tracefsRoot,
  WORK_PROGRAM,
  whyNoTracing,
} from '../helpers/live.js';

const skipU = whyNoTracing(['uprobes', 'gcc']);
const skipT = whyNoTracing(['tracepoints', 'syscalls']);

function noLeftoversOfRun(stderr: string): void {
  assert.match(stderr, /probes removed/);
}

test('uprobe + uretprobe: integer and string arguments, return values', {
  skip: skipU ?? false,
}, async () => {
  const bin = buildC(WORK_PROGRAM);
  const r = await runCli([
    'trace',
    '--backend',
    'tracefs',
    `u:${bin}:work(a:s32, s:string)`,
    `ur:${bin}:work(retval:s32)`,
    '--json',
    '-c',
    `${bin} 4`,
  ]);
  assert.equal(r.code, 0, r.stderr);
  const events = jsonLines(r.stdout).filter((e) => e['type'] === 'event');
  const entries = events.filter((e) => String(e['probe']).startsWith('u:'));
  const returns = events.filter((e) => String(e['probe']).startsWith('ur:'));
  assert.deepEqual(
    entries.map((e) => e['fields']),
    [0, 1, 2, 3].map((a) => ({ a, s: 'hello' })),
  );
  assert.deepEqual(
    returns.map((e) => (e['fields'] as Record<string, unknown>)['retval']),
    [0, 1, 2, 3].map((a) => a * 2 + 104),
  );
  assert.ok(entries.every((e) => e['comm'] === 'prog' && typeof e['ip'] === 'string'));
  assert.ok(returns.every((e) => typeof e['func'] === 'string' && typeof e['ret_ip'] === 'string'));
  const summary = jsonLines(r.stdout).at(-1)!;
  assert.equal(summary['type'], 'summary');
  assert.equal(summary['events'], 8);
  assert.equal(summary['lost'], 0);
  assert.equal(summary['probes_removed'], 2);
});

test('latency of a function that sleeps a known time', { skip: skipU ?? false }, async () => {
  const bin = buildC(WORK_PROGRAM);
  const r = await runCli([
    'trace',
    `u:${bin}:sleepy(ms:s32)`,
    `ur:${bin}:sleepy(retval:s32)`,
    '--latency',
    '--json',
    '-c',
    `${bin} 0 50`,
  ]);
  assert.equal(r.code, 0, r.stderr);
  const calls = jsonLines(r.stdout).filter((e) => e['type'] === 'call');
  assert.equal(calls.length, 1);
  const lat = Number(calls[0]!['latency_ns']);
  assert.ok(lat >= 50e6 && lat < 1e9, `sleepy(50) took ${lat} ns`);
  assert.equal(calls[0]!['retval'], '50');
});

test('a libc function by short name, text output', { skip: skipU ?? false }, async () => {
  const r = await runCli(['trace', 'u:libc:getenv(name:string)', '-c', 'ls / >/dev/null']);
  assert.equal(r.code, 0, r.stderr);
  assert.match(r.stdout.split('\n')[0] ?? '', /^TIME\(s\)\s+COMM\s+PID\s+TID\s+PROBE\s+ARGS/);
  assert.match(r.stdout, /name="[A-Z_]+"/);
  noLeftoversOfRun(r.stderr);
});

test('tracepoint with -c and a filter keeps only matching events of that command', {
  skip: skipT ?? false,
}, async () => {
  const r = await runCli([
    'trace',
    't:syscalls:sys_enter_openat(flags) if flags == 0',
    '--json',
    '-c',
    'cat /etc/hostname /etc/passwd >/dev/null',
  ]);
  assert.equal(r.code, 0, r.stderr);
  const events = jsonLines(r.stdout).filter((e) => e['type'] === 'event');
  assert.ok(events.length >= 2, 'cat opened its two files read-only');
  assert.ok(events.every((e) => (e['fields'] as Record<string, unknown>)['flags'] === 0));
  assert.ok(events.every((e) => e['comm'] === 'cat' || e['comm'] === 'sh'));
  assert.deepEqual(
    Object.keys(events[0]!['fields'] as object),
    ['flags'],
    'only the named field is shown',
  );
});

test('-p follows a process and the children it starts', { skip: skipT ?? false }, async () => {
  // A shell that waits for a line on stdin, then starts two children.
  const target = spawn('/bin/sh', ['-c', 'read x; /bin/true; /bin/true; sleep 0.2'], {
    stdio: ['pipe', 'ignore', 'ignore'],
  });
  const other = spawn('/bin/sh', ['-c', 'sleep 0.5; /bin/true'], { stdio: 'ignore' });
  const targetExited = new Promise((r) => target.on('exit', r));
  const { child, done } = startCli([
    'trace',
    '--backend',
    'tracefs',
    't:sched:sched_process_exec',
    '--json',
    '-p',
    String(target.pid),
  ]);
  try {
    // Tracing is on once the run's instance has its pid filter and tracing_on set. (A new
    // instance starts with tracing_on at 1 until probekit turns it off to set it up, so
    // tracing_on alone can be read as 1 too early; set_event_pid is written after that.)
    const root = tracefsRoot()!;
    const tracingOn = (): boolean => {
      const inst = readdirSync(join(root, 'instances')).find((d) =>
        d.startsWith(`probekit_${child.pid}_`),
      );
      if (inst === undefined) return false;
      const read = (f: string): string => readFileSync(join(root, 'instances', inst, f), 'utf8');
      try {
        return (
          read('set_event_pid').split(/\s+/).includes(String(target.pid)) &&
          read('tracing_on').trim() === '1'
        );
      } catch {
        return false; // the instance is still being made
      }
    };
    await waitFor(tracingOn, 20_000, 'tracing to start');
    target.stdin.end('go\n');
    await targetExited;
    await new Promise((r) => setTimeout(r, 300));
    child.kill('SIGINT');
    const r = await done;
    assert.equal(r.code, 0, r.stderr);
    const execs = jsonLines(r.stdout).filter((e) => e['type'] === 'event');
    const files = execs.map((e) => (e['fields'] as Record<string, unknown>)['filename']);
    assert.deepEqual(files.filter((f) => f === '/bin/true').length, 2, JSON.stringify(files));
    assert.ok(execs.every((e) => e['pid'] !== other.pid));
  } finally {
    target.kill('SIGKILL');
    other.kill('SIGKILL');
    child.kill('SIGINT'); // never leave the run going: it would hold the test file open
    await done;
  }
});

test('text and binary decoding give the same events', { skip: skipU ?? false }, async () => {
  const bin = buildC(WORK_PROGRAM);
  const run = (mode: string) =>
    runCli([
      'trace',
      `u:${bin}:work(a:s32, s:string)`,
      `ur:${bin}:work(retval:s32)`,
      '--json',
      '--decode',
      mode,
      '-c',
      `setarch $(uname -m) -R ${bin} 5`,
    ]);
  const [raw, text] = [await run('raw'), await run('text')];
  const strip = (out: string) =>
    jsonLines(out)
      .filter((e) => e['type'] === 'event')
      .map((e) => ({
        probe: e['probe'],
        comm: e['comm'],
        fields: e['fields'],
        ip: e['ip'],
        func: e['func'],
        ret_ip: e['ret_ip'],
      }));
  assert.equal(strip(raw.stdout).length, 10);
  assert.deepEqual(strip(text.stdout), strip(raw.stdout));
});

test('nothing of probekit is left after these runs', { skip: skipU ?? false }, () => {
  // Other live test files may be running at once: only runs of dead owners would count here.
  const left = probekitLeftovers().filter((l) => {
    const pid = /probekit_(\d+)_/.exec(l)?.[1];
    try {
      process.kill(Number(pid), 0);
      return false;
    } catch {
      return true;
    }
  });
  assert.deepEqual(left, []);
});
