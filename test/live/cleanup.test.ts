/**
 * Nothing left behind: after Ctrl-C, after a closed pipe (`| head`), after an
 * uncaught exception, and after kill -9 followed by `probekit cleanup`. Two
 * runs at once keep to their own probes, and other tools' probes are untouched.
 */
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { test } from 'node:test';
import { appendLine } from '../../src/tracefs/files.js';
import { jsonLines, runCli, startCli, waitFor } from '../helpers/cli.js';
import {
  buildC,
  fileOffsetByNm,
  leftoversOf,
  PROJECT_ROOT,
  tracefsRoot,
  WORK_PROGRAM,
  whyNoTracing,
} from '../helpers/live.js';

const skip = whyNoTracing(['uprobes', 'gcc']);
const LOOP = `#include <unistd.h>
volatile int sink;
__attribute__((noinline)) int tick(int i) { sink = i; return i + 1; }
int main(void) { for (int i = 0; ; i++) { tick(i); usleep(2000); } }
`;

function runPrefix(pid: number | undefined): string {
  return `probekit_${pid}_`;
}

/** Waits until the run has made its instance and `definitions` probe definitions. */
async function startedTracing(pid: number | undefined, definitions = 0): Promise<void> {
  await waitFor(
    () => {
      const left = leftoversOf(runPrefix(pid));
      return (
        left.some((l) => l.startsWith('instance ')) &&
        left.filter((l) => !l.startsWith('instance ')).length >= definitions
      );
    },
    15_000,
    'the run to create its probes',
  );
}

test('Ctrl-C stops, prints the summary and removes everything', {
  skip: skip ?? false,
}, async () => {
  const loop = buildC(LOOP, 'loop');
  const target = spawn(loop, { stdio: 'ignore' });
  try {
    const { child, done } = startCli([
      'trace',
      '--backend',
      'tracefs',
      `u:${loop}:tick(i:s32)`,
      '-p',
      String(target.pid),
    ]);
    await startedTracing(child.pid);
    await new Promise((r) => setTimeout(r, 300));
    child.kill('SIGINT');
    const r = await done;
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stderr, /\d+ events, 0 lost; 1 probes removed/);
    assert.match(r.stdout, /tick|i=\d+/);
    assert.deepEqual(leftoversOf(runPrefix(child.pid)), []);
  } finally {
    target.kill('SIGKILL');
  }
});

test('SIGTERM removes everything', { skip: skip ?? false }, async () => {
  const { child, done } = startCli([
    'trace',
    '--backend',
    'tracefs',
    't:sched:sched_process_exec',
    '-d',
    '60',
  ]);
  await startedTracing(child.pid);
  child.kill('SIGTERM');
  const r = await done;
  assert.equal(r.signal, 'SIGTERM');
  assert.deepEqual(leftoversOf(runPrefix(child.pid)), []);
});

test('a closed stdout (probekit trace | head) ends the run cleanly', {
  skip: skip ?? false,
}, async () => {
  const loop = buildC(LOOP, 'loop');
  const target = spawn(loop, { stdio: 'ignore' });
  try {
    const { child, done } = startCli([
      'trace',
      '--backend',
      'tracefs',
      `u:${loop}:tick(i:s32)`,
      '-p',
      String(target.pid),
    ]);
    await new Promise<void>((resolve) => child.stdout?.once('data', () => resolve()));
    child.stdout?.destroy();
    const r = await done;
    assert.equal(r.code, 0, r.stderr);
    assert.deepEqual(leftoversOf(runPrefix(child.pid)), []);
  } finally {
    target.kill('SIGKILL');
  }
});

test('an uncaught exception in a program using the library removes everything', {
  skip: skip ?? false,
}, async () => {
  const script = `
    import { trace } from ${JSON.stringify(join(PROJECT_ROOT, 'dist/src/index.js'))};
    const s = await trace(['t:sched:sched_process_exec']);
    console.log(s.name);
    setTimeout(() => { throw new Error('boom from the user program'); }, 100);
    for await (const e of s.events()) {}
  `;
  const r = spawnSync(process.execPath, ['--input-type=module', '-e', script], {
    encoding: 'utf8',
    timeout: 20_000,
  });
  assert.notEqual(r.status, 0);
  assert.match(r.stderr, /boom from the user program/);
  const name = r.stdout.trim();
  assert.match(name, /^probekit_\d+_[0-9a-f]+$/);
  assert.deepEqual(leftoversOf(name), []);
});

test('kill -9 leaves probes that probekit cleanup then removes', {
  skip: skip ?? false,
}, async () => {
  const bin = buildC(WORK_PROGRAM);
  const { child, done } = startCli([
    'trace',
    '--backend',
    'tracefs',
    `u:${bin}:work(a:s32)`,
    't:sched:sched_process_exec',
    '-d',
    '60',
  ]);
  await startedTracing(child.pid, 1);
  child.kill('SIGKILL');
  await done;
  const left = leftoversOf(runPrefix(child.pid));
  assert.ok(left.length >= 2, `a killed run leaves its instance and probe: ${left.join('; ')}`);
  const r = await runCli(['cleanup']);
  assert.equal(r.code, 0, r.stderr);
  assert.match(r.stdout, new RegExp(`removed instance probekit_${child.pid}_`));
  assert.match(r.stdout, new RegExp(`removed event probekit_${child.pid}_\\w+/p_prog_work_0`));
  assert.deepEqual(leftoversOf(runPrefix(child.pid)), []);
});

test("two runs at once get their own events and leave another tool's probe alone", {
  skip: skip ?? false,
}, async () => {
  const root = tracefsRoot()!;
  const bin = buildC(WORK_PROGRAM);
  const otherGroup = `othertool_${process.pid}`;
  appendLine(
    root,
    'uprobe_events',
    `p:${otherGroup}/work ${bin}:0x${fileOffsetByNm(bin, 'work').toString(16)}`,
  );
  try {
    const [a, b] = await Promise.all([
      runCli(['trace', `u:${bin}:work(a:s32)`, '--json', '-c', `${bin} 3`]),
      runCli(['trace', `u:${bin}:work(a:s32)`, '--json', '-c', `${bin} 5`]),
    ]);
    const count = (out: string) => jsonLines(out).filter((e) => e['type'] === 'event').length;
    assert.equal(count(a.stdout), 3, a.stderr);
    assert.equal(count(b.stdout), 5, b.stderr);
    assert.equal(leftoversOf(otherGroup).length, 1, "the other tool's probe is still there");
  } finally {
    appendLine(root, 'uprobe_events', `-:${otherGroup}/work`);
  }
});
