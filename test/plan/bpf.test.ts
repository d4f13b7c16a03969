/**
 * The planner's BPF target, pure: attach targets read back from the plan,
 * record slots at their offsets with the pt_regs offsets of each architecture,
 * tracepoint fields from a stored format file, filters as conditions, and
 * clear refusals for what the BPF backend does not do.
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import type { ArchName } from '../../src/arch/types.js';
import { UnsupportedError } from '../../src/errors.js';
import { planBpf } from '../../src/plan/bpf/plan.js';
import { bpfAttachTarget } from '../../src/plan/bpf/target.js';
import { BPF_HEADER, type BpfProbePlan } from '../../src/plan/bpf/types.js';
import { parseFormat } from '../../src/stream/format.js';
import { PROJECT_ROOT } from '../helpers/live.js';
import { planTexts } from './helpers.js';

const OPENAT = parseFormat(
  readFileSync(join(PROJECT_ROOT, 'testdata/stream/format.syscalls.sys_enter_openat'), 'utf8'),
  'syscalls',
);
const EXEC = parseFormat(
  readFileSync(join(PROJECT_ROOT, 'testdata/stream/format.sched.sched_process_exec'), 'utf8'),
  'sched',
);

function bpf(texts: readonly string[], arch: ArchName = 'x86_64'): BpfProbePlan[] {
  return planBpf(planTexts(texts, arch), {
    tracepointFields: (g, e) =>
      g === 'syscalls' && e === 'sys_enter_openat'
        ? OPENAT.fields
        : g === 'sched' && e === 'sched_process_exec'
          ? EXEC.fields
          : null,
  });
}

test('attach targets: uprobe path and offset, kprobe symbol, offset and address', () => {
  const targets = bpf([
    'u:/bin/true:0x1a40(argc)',
    'ur:/bin/true:0x1a40',
    'k:vfs_read+8',
    'kr:vfs_read',
    'k:0xffffffff81000000',
    't:syscalls:sys_enter_openat',
  ]).map((p) => p.target);
  assert.deepEqual(targets, [
    { kind: 'uprobe', path: '/bin/true', offset: 0x1a40n },
    { kind: 'uretprobe', path: '/bin/true', offset: 0x1a40n },
    { kind: 'kprobe', symbol: 'vfs_read', offset: 8n },
    { kind: 'kretprobe', symbol: 'vfs_read' },
    { kind: 'kprobe', address: 0xffffffff81000000n },
    { kind: 'tracepoint', group: 'syscalls', event: 'sys_enter_openat' },
  ]);
});

test('a USDT semaphore uprobe is left to tracefs, with the reason', () => {
  const p = planTexts(['p /bin/true:0x10(0x20)'], 'x86_64').probes[0]!;
  assert.throws(() => bpfAttachTarget(p), /USDT semaphore.*tracefs/);
});

test('slots: registers by pt_regs offset, derefs, strings, arrays, comm; 8-byte aligned after the header', () => {
  const [p] = bpf([
    'u:/bin/true:0x10(a=%di:s32, b=+8(+16(%si)):u16, s=+0(%dx):string, v=+0(%cx):ustring[3], n=+0(%r8):u32[2], c=$comm, f=+0(%r9):b3@2/32)',
  ]);
  const slots = p!.slots.map((s) => ({ name: s.name, kind: s.kind, offset: s.offset }));
  assert.deepEqual(slots, [
    { name: 'a', kind: 'int', offset: 56 },
    { name: 'b', kind: 'int', offset: 64 },
    { name: 's', kind: 'string', offset: 72 },
    { name: 'v', kind: 'strings', offset: 200 },
    { name: 'n', kind: 'ints', offset: 592 },
    { name: 'c', kind: 'comm', offset: 608 },
    { name: 'f', kind: 'int', offset: 624 },
  ]);
  assert.equal(p!.recordSize, 632);
  const a = p!.slots[0]!;
  assert.ok(a.kind === 'int');
  assert.deepEqual(a.chain, {
    base: { kind: 'ctx', offset: 112, size: 8, signed: false },
    derefs: [],
  });
  assert.equal(a.size, 4);
  assert.equal(a.signed, true);
  const b = p!.slots[1]!;
  assert.ok(b.kind === 'int');
  assert.deepEqual(
    b.chain.derefs,
    [
      { offset: 16n, user: true },
      { offset: 8n, user: true },
    ],
    'uprobes read user memory',
  );
  const f = p!.slots[6]!;
  assert.ok(f.kind === 'int');
  assert.deepEqual(f.bitfield, { width: 3, shift: 2 });
  assert.deepEqual(p!.address, { kind: 'regs', offset: 128, meaning: 'ip' });
});

test('kprobes read kernel memory unless +u or :ustring says user memory', () => {
  const [p] = bpf(['k:do_sys_open(a=+0(%si):string, b=+0(%si):ustring, c=+u8(%di):u64)']);
  const [a, b, c] = p!.slots;
  assert.ok(a?.kind === 'string' && !a.user);
  assert.ok(b?.kind === 'string' && b.user);
  assert.ok(c?.kind === 'int' && c.chain.derefs[0]!.user);
  assert.deepEqual(p!.address, { kind: 'func-ip' });
});

test('arm64 and riscv64 arguments come from their own pt_regs offsets', () => {
  const arm = bpf(['u:/bin/true:0x10(arg1, arg2)'], 'arm64')[0]!;
  assert.deepEqual(
    arm.slots.map((s) =>
      s.kind === 'int' && s.chain.base.kind === 'ctx' ? s.chain.base.offset : -1,
    ),
    [0, 8],
  );
  const rv = bpf(['ur:/bin/true:0x10(retval)'], 'riscv64')[0]!;
  const r = rv.slots[0]!;
  assert.ok(r.kind === 'int' && r.chain.base.kind === 'ctx');
  assert.equal(r.chain.base.offset, 80, 'a0 is regs[10]: after epc, ra, sp, gp, tp, t0-t2, s0, s1');
});

test('tracepoint fields: typed pointers become strings, narrow syscall ints keep their width', () => {
  const [p] = bpf(['t:syscalls:sys_enter_openat(dfd, filename:ustring, flags)']);
  const [dfd, filename, flags] = p!.slots;
  assert.ok(dfd?.kind === 'int');
  assert.equal(dfd.size, 4, 'int dfd in an 8-byte field');
  assert.equal(dfd.signed, true);
  assert.ok(filename?.kind === 'string' && filename.user);
  assert.ok(flags?.kind === 'int');
  const all = bpf(['t:sched:sched_process_exec'])[0]!;
  assert.deepEqual(
    all.slots.map((s) => [s.name, s.kind]),
    [
      ['filename', 'ctx-string'],
      ['pid', 'int'],
      ['old_pid', 'int'],
    ],
  );
  assert.equal(all.address, null);
});

test('a tracepoint filter on a field not shown records it, hidden', () => {
  const [p] = bpf(['t:syscalls:sys_enter_openat(filename:ustring) if dfd == -100 && flags & 64']);
  assert.deepEqual(p!.hidden, ['dfd', 'flags']);
  assert.deepEqual(p!.filter, {
    kind: 'and',
    left: {
      kind: 'cmp',
      operand: { offset: p!.slots[1]!.offset, size: 8, signed: true },
      op: '==',
      value: -100n,
    },
    right: {
      kind: 'cmp',
      operand: { offset: p!.slots[2]!.offset, size: 8, signed: true },
      op: '&',
      value: 64n,
    },
  });
});

test('filters: text equality, prefix globs, negation, and the header fields', () => {
  const [p] = bpf([
    'u:/bin/true:0x10(s=+0(%di):string) if !(s == "ab") || comm ~ "ba*" || pid > 1',
  ]);
  const f = p!.filter!;
  assert.equal(f.kind, 'or');
  const flat = JSON.stringify(f, (_k, v) =>
    typeof v === 'bigint' ? `${v}n` : v instanceof Uint8Array ? Buffer.from(v).toString() : v,
  );
  assert.match(
    flat,
    /"kind":"not","operand":\{"kind":"str","offset":56,"max":128,"text":"ab","prefix":false/,
  );
  assert.match(flat, /"kind":"str","offset":16,"max":16,"text":"ba","prefix":true,"negate":false/);
  assert.match(
    flat,
    new RegExp(
      `"operand":\\{"offset":${BPF_HEADER.pid},"size":4,"signed":false\\},"op":">","value":"1n"`,
    ),
  );
});

test('what BPF cannot do is refused with the probe, the reason and --backend tracefs', () => {
  const refused = (text: string, why: RegExp) => {
    assert.throws(
      () => bpf([text]),
      (e: unknown) =>
        e instanceof UnsupportedError &&
        why.test(e.message) &&
        e.message.startsWith(text) &&
        /--backend tracefs/.test(e.hint ?? ''),
    );
  };
  refused('k:vfs_read(a=%di:symbol)', /the type :symbol/);
  refused('u:/bin/true:0x10(s=+0(%di):string) if s ~ "*x"', /the glob "\*x"/);
  refused('k:vfs_read(x=@jiffies)', /fetch argument kind 'sym'/);
  refused('t:syscalls:sys_enter_openat(flags:string)', /not a pointer/);
  refused('t:sched:sched_switch', /format could not be read/);
});
