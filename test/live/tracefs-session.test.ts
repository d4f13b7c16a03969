/**
 * The tracefs layer on the real kernel: a Session applies a plan, records,
 * and removes everything; sweep removes only dead runs' leftovers.
 */
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import type { PlannedProbe, ProbePlan } from '../../src/plan/types.js';
import type { StreamItem } from '../../src/stream/types.js';
import { appendLine } from '../../src/tracefs/files.js';
import { newRunName } from '../../src/tracefs/naming.js';
import { type PipeDecoder, Session } from '../../src/tracefs/session.js';
import { sweepStale } from '../../src/tracefs/sweep.js';
import {
  buildC,
  fileOffsetByNm,
  leftoversOf,
  tracefsRoot,
  WORK_PROGRAM,
  whyNoTracing,
} from '../helpers/live.js';

function uprobe(
  group: string,
  event: string,
  definition: string,
  kind: 'uprobe' | 'uretprobe',
): PlannedProbe {
  return {
    spec: null as never,
    kind,
    group,
    event,
    definition,
    file: 'uprobe_events',
    removal: `-:${group}/${event}`,
    args: [],
    filter: null,
    files: [],
    notes: [],
  };
}

/** Lines of the text pipe, as decode-error items (enough to see what the kernel recorded). */
const lines: PipeDecoder = {
  mode: 'text',
  chunkSize: 65536,
  push: (b: Buffer): StreamItem[] =>
    b
      .toString()
      .split('\n')
      .filter(Boolean)
      .map((message) => ({ type: 'decode-error', cpu: null, message })),
  flush: () => [],
};

const skip = whyNoTracing(['uprobes', 'gcc']);

test('a session defines, records and removes uprobes, leaving nothing', {
  skip: skip ?? false,
}, async () => {
  const root = tracefsRoot()!;
  const bin = buildC(WORK_PROGRAM);
  const off = fileOffsetByNm(bin, 'work');
  const group = newRunName();
  const plan: ProbePlan = {
    arch: 'x86_64',
    group,
    files: [],
    probes: [
      uprobe(
        group,
        'w_in',
        `p:${group}/w_in ${bin}:0x${off.toString(16)} a=%di:s32 s=+0(%si):string`,
        'uprobe',
      ),
      uprobe(
        group,
        'w_out',
        `r:${group}/w_out ${bin}:0x${off.toString(16)} ret=$retval:s32`,
        'uretprobe',
      ),
    ],
  };
  const s = Session.start(root, plan);
  assert.ok(leftoversOf(group).length >= 3, 'definitions and instance exist while running');
  assert.equal(spawnSync(bin, ['3']).status, 0);
  const ac = new AbortController();
  setTimeout(() => ac.abort(), 200);
  const got: string[] = [];
  for await (const it of s.items(lines, ac.signal))
    if (it.type === 'decode-error') got.push(it.message);
  const report = s.closeSync();
  assert.equal(got.filter((l) => l.includes('w_in:')).length, 3);
  assert.match(got.find((l) => l.includes('w_in:')) ?? '', /a=0 s="hello"/);
  assert.match(got.filter((l) => l.includes('w_out:'))[2] ?? '', /ret=108/);
  assert.deepEqual(report.leftovers, []);
  assert.equal(report.probesRemoved, 2);
  assert.equal(report.instanceRemoved, true);
  assert.deepEqual(leftoversOf(group), []);
  assert.strictEqual(s.closeSync(), report, 'closeSync is idempotent');
});

test('a failed definition is decoded from error_log and leaves nothing', {
  skip: skip ?? false,
}, () => {
  const root = tracefsRoot()!;
  const bin = buildC(WORK_PROGRAM);
  const off = fileOffsetByNm(bin, 'work');
  const group = newRunName();
  const good = uprobe(group, 'ok', `p:${group}/ok ${bin}:0x${off.toString(16)}`, 'uprobe');
  const bad = uprobe(group, 'bad', `p:${group}/bad ${bin}:0x${off.toString(16)} a=%rdi`, 'uprobe');
  assert.throws(
    () => Session.start(root, { arch: 'x86_64', group, files: [], probes: [good, bad] }),
    (e: unknown) => {
      const err = e as {
        code: string;
        message: string;
        input: string;
        column: number;
        hint: string;
      };
      assert.equal(err.code, 'E_KERNEL_REJECTED');
      assert.match(err.message, /Invalid register name \(EINVAL\)/);
      assert.equal(err.input, bad.definition);
      assert.equal(err.column, (bad.definition ?? '').indexOf('%rdi'));
      assert.match(err.hint, /register names differ/);
      return true;
    },
  );
  assert.deepEqual(leftoversOf(group), []);
});

test('sweep removes a dead run and leaves live runs and other tools alone', {
  skip: whyNoTracing(['uprobes', 'gcc']) ?? false,
}, async () => {
  const root = tracefsRoot()!;
  const bin = buildC(WORK_PROGRAM);
  const place = `${bin}:0x${fileOffsetByNm(bin, 'work').toString(16)}`;
  // A dead owner: a child that has exited.
  const dead = spawnSync('true').pid ?? 999_999;
  const live = spawn('sleep', ['30']);
  const deadName = `probekit_${dead}_dead0001`;
  const liveName = `probekit_${live.pid}_live0001`;
  const other = `othertool_${process.pid}`;
  try {
    for (const g of [deadName, liveName, other])
      appendLine(root, 'uprobe_events', `p:${g}/e ${place}`);
    mkdirSync(join(root, 'instances', deadName));
    mkdirSync(join(root, 'instances', liveName));
    const report = sweepStale(root);
    assert.ok(report.instancesRemoved.includes(deadName));
    assert.ok(report.eventsRemoved.includes(`${deadName}/e`));
    assert.deepEqual(leftoversOf(deadName), []);
    assert.equal(leftoversOf(liveName).length, 2, 'a live run is not touched');
    assert.equal(leftoversOf(other).length, 1, "another tool's probe is not touched");
  } finally {
    live.kill('SIGKILL');
    try {
      mkdirSync(join(root, 'instances', liveName), { recursive: true });
    } catch {
      // exists
    }
    spawnSync('rmdir', [join(root, 'instances', liveName)]);
    for (const g of [liveName, other, deadName]) {
      try {
        appendLine(root, 'uprobe_events', `-:${g}/e`);
      } catch {
        // already gone
      }
    }
  }
  assert.deepEqual(leftoversOf(liveName), []);
  assert.deepEqual(leftoversOf(other), []);
});
