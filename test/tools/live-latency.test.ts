/** funclatency and errsnoop on this machine's kernel, with uprobes on a C program built here. */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { jsonLines } from '../helpers/cli.js';
import { buildC, whyNoTracing } from '../helpers/live.js';
import { interrupt, leftoversOfPid, startProgram, startTool, TARGET_PROGRAM } from './helpers.js';

const skipU = whyNoTracing(['uprobes', 'gcc']);

test('funclatency -u: N calls of a function that sleeps 3 ms', {
  skip: skipU ?? false,
}, async () => {
  const N = 5;
  const bin = buildC(TARGET_PROGRAM, 'pktarget');
  const target = startProgram(bin, ['sleep', String(N), '3000']);
  const run = startTool([
    'funclatency',
    '--backend',
    'tracefs',
    '--json',
    '-u',
    '-p',
    String(target.child.pid),
    `u:${bin}:pk_sleep`,
  ]);
  await run.ready;
  assert.equal(await target.go(), 0);
  const r = await interrupt(run);
  assert.equal(r.code, 0, r.stderr);
  const h = jsonLines(r.stdout).find((e) => e['type'] === 'histogram')!;
  assert.equal(h['unit'], 'usecs');
  assert.equal(h['total'], N);
  const buckets = h['buckets'] as { low: number; high: number; count: number }[];
  // usleep(3000) takes at least 3000 us: nothing below the 2048..4095 bucket.
  assert.ok(
    buckets.every((b) => b.low >= 2048),
    JSON.stringify(buckets),
  );
  assert.equal(jsonLines(r.stdout).at(-1)!['paired'], N);
  assert.deepEqual(leftoversOfPid(run.child.pid), []);
});

test('funclatency -F -P: per function and process, text histograms', {
  skip: skipU ?? false,
}, async () => {
  const bin = buildC(TARGET_PROGRAM, 'pktarget');
  const target = startProgram(bin, ['step', '50']);
  const run = startTool([
    'funclatency',
    '--backend',
    'tracefs',
    '-F',
    '-P',
    '-p',
    String(target.child.pid),
    `u:${bin}:pk_*`,
  ]);
  await run.ready;
  assert.equal(await target.go(), 0);
  const r = await interrupt(run);
  assert.equal(r.code, 0, r.stderr);
  assert.match(
    r.stdout,
    new RegExp(`^Function = pk_step, pid = ${target.child.pid} pktarget$`, 'm'),
  );
  assert.match(r.stdout, /^\s+nsecs\s+: count\s+distribution$/m);
  const total = [...r.stdout.matchAll(/: (\d+)\s+\|/g)].reduce((n, m) => n + Number(m[1]), 0);
  assert.equal(total, 50);
  assert.deepEqual(leftoversOfPid(run.child.pid), []);
});

test('errsnoop: only calls returning a negative errno, with the error and arguments', {
  skip: skipU ?? false,
}, async () => {
  const N = 10;
  const bin = buildC(TARGET_PROGRAM, 'pktarget');
  const target = startProgram(bin, ['check', String(N)]);
  const run = startTool([
    'errsnoop',
    '--json',
    '-p',
    String(target.child.pid),
    `u:${bin}:pk_check(i:s32)`,
  ]);
  await run.ready;
  assert.equal(await target.go(), 0);
  const r = await interrupt(run);
  assert.equal(r.code, 0, r.stderr);
  const errs = jsonLines(r.stdout).filter((e) => e['type'] === 'error');
  const expected = Array.from({ length: N }, (_, i) => i)
    .filter((i) => i % 3 !== 2)
    .map((i) => ({
      i: String(i),
      errno: i % 3 === 0 ? 'ENOENT' : 'EACCES',
      ret: i % 3 === 0 ? -2 : -13,
    }));
  assert.deepEqual(
    errs.map((e) => ({
      i: (e['args'] as Record<string, string>)['i'],
      errno: e['errno'],
      ret: e['ret'],
    })),
    expected,
  );
  assert.ok(errs.every((e) => e['function'] === 'pk_check' && e['pid'] === target.child.pid));
  assert.deepEqual(leftoversOfPid(run.child.pid), []);
});
