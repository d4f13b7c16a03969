/**
 * Bad input on the real kernel: each mistake gets its message and exit code,
 * and nothing is written to the kernel.
 */
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { runCli } from '../helpers/cli.js';
import { buildC, leftoversOf, tracefsRoot, WORK_PROGRAM, whyNoTracing } from '../helpers/live.js';

const skip = whyNoTracing(['uprobes', 'gcc']);

async function refused(args: string[], code: number, message: RegExp): Promise<string> {
  const r = await runCli(args);
  assert.equal(r.code, code, `exit code for ${args.join(' ')}: ${r.stderr}`);
  assert.match(r.stderr, message);
  assert.doesNotMatch(r.stderr, /\n\s+at .*\(.*:\d+:\d+\)/, 'no stack trace');
  assert.equal(r.stdout, '');
  assert.deepEqual(leftoversOf(`probekit_${r.pid}_`), [], 'nothing was created');
  return r.stderr;
}

test('a kprobe on a kernel without kprobes: a clear message, exit 1', {
  skip: skip ?? false,
}, async (t) => {
  if (existsSync(join(tracefsRoot()!, 'kprobe_events')))
    return t.skip('this kernel has kprobes (the refusal is tested where they are missing)');
  const err = await refused(
    ['trace', 'k:do_sys_openat2(dfd:s32)'],
    1,
    /kprobes are not available: this kernel was built without CONFIG_KPROBES/,
  );
  assert.match(err, /sys_enter_openat/, 'suggests the tracepoint');
});

test('an unknown tracepoint, with near names', { skip: skip ?? false }, async () => {
  await refused(
    ['trace', 't:syscalls:sys_enter_opnat'],
    1,
    /sys_enter_opnat[\s\S]*sys_enter_openat/,
  );
});

test('a missing binary', { skip: skip ?? false }, async () => {
  await refused(['trace', 'u:/nonexistent/bin/prog:main'], 2, /\/nonexistent\/bin\/prog/);
});

test('an unknown symbol, with near names', { skip: skip ?? false }, async () => {
  const bin = buildC(WORK_PROGRAM);
  await refused(['trace', `u:${bin}:wrk`], 2, /wrk[\s\S]*work/);
});

test('an assembler register name gets the tracefs spelling', { skip: skip ?? false }, async () => {
  const bin = buildC(WORK_PROGRAM);
  const err = await refused(['trace', `u:${bin}:work(x=%rdi)`], 2, /%rdi/);
  assert.match(err, /%di/);
  assert.match(err, /\^/, 'a caret points at it');
});

test('a syntax error: caret and hint, exit 2', async () => {
  const r = await runCli(['trace', 'x:foo']);
  assert.equal(r.code, 2);
  assert.match(r.stderr, /x:foo\n\s+\^/);
  assert.match(r.stderr, /hint:/);
});

test('usage errors exit 2', async () => {
  assert.equal((await runCli(['trace'])).code, 2);
  assert.equal((await runCli(['trace', 't:sched:sched_process_exec', '-d', 'soon'])).code, 2);
  assert.equal((await runCli(['trace', 't:sched:sched_process_exec', '--bogus'])).code, 2);
  assert.equal((await runCli(['nosuchcommand'])).code, 2);
  const help = await runCli(['trace', '--help']);
  assert.equal(help.code, 0);
  assert.match(help.stdout, /EXAMPLES/);
});
