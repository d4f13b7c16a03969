/**
 * The real thing: this machine's /sys/kernel/btf/vmlinux, checked against an
 * independent counting loop and against bpftool's dump.
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { test } from 'node:test';
import type { Btf } from '../../src/btf/index.js';
import { isPtRegsWrapper, loadKernelBtf, parseBtf, ptRegsOffsets } from '../../src/btf/index.js';
import { bpftoolDump, type RawType } from './helpers/bpftool.js';

const VMLINUX = '/sys/kernel/btf/vmlinux';

function readVmlinux(): Uint8Array | null {
  try {
    return readFileSync(VMLINUX);
  } catch {
    return null;
  }
}

const bytes = readVmlinux();
const NEEDS_BTF = `needs ${VMLINUX} (a kernel with CONFIG_DEBUG_INFO_BTF)`;
const NEEDS_BPFTOOL = 'needs bpftool (apt-get install -y bpftool)';

function kernel(t: { skip(msg: string): void }): Btf | null {
  if (!bytes) {
    t.skip(NEEDS_BTF);
    return null;
  }
  return loadKernelBtf();
}

/** A second, deliberately simple count: its own size table, no shared code. */
function simpleCount(data: Uint8Array): Map<number, number> {
  const v = new DataView(data.buffer, data.byteOffset, data.byteLength);
  const le = v.getUint16(0, true) === 0xeb9f;
  const hdrLen = v.getUint32(4, le);
  const start = hdrLen + v.getUint32(8, le);
  const end = start + v.getUint32(12, le);
  const fixed: Record<number, number> = { 1: 4, 3: 12, 14: 4, 17: 4 };
  const perVlen: Record<number, number> = { 4: 12, 5: 12, 6: 8, 13: 8, 15: 12, 19: 12 };
  const counts = new Map<number, number>();
  for (let pos = start; pos < end; ) {
    const info = v.getUint32(pos + 4, le);
    const kind = (info >>> 24) & 0x1f;
    counts.set(kind, (counts.get(kind) ?? 0) + 1);
    pos += 12 + (fixed[kind] ?? 0) + (perVlen[kind] ?? 0) * (info & 0xffff);
  }
  return counts;
}

const KIND_NUMBERS: Record<string, number> = {
  INT: 1,
  PTR: 2,
  ARRAY: 3,
  STRUCT: 4,
  UNION: 5,
  ENUM: 6,
  FWD: 7,
  TYPEDEF: 8,
  VOLATILE: 9,
  CONST: 10,
  RESTRICT: 11,
  FUNC: 12,
  FUNC_PROTO: 13,
  VAR: 14,
  DATASEC: 15,
  FLOAT: 16,
  DECL_TAG: 17,
  TYPE_TAG: 18,
  ENUM64: 19,
};

test('vmlinux: counts by kind match a simple counting loop and bpftool', (t) => {
  const btf = kernel(t);
  if (!btf || !bytes) return;
  const ours = btf.countByKind();
  const simple = simpleCount(bytes);
  for (const [kind, n] of Object.entries(ours))
    assert.equal(simple.get(KIND_NUMBERS[kind]!), n, kind);
  assert.equal(
    [...simple.values()].reduce((a, b) => a + b, 0),
    btf.typeCount,
  );
  assert.ok(btf.typeCount > 10_000, `a real kernel has many types (${btf.typeCount})`);
  t.diagnostic(`types: ${btf.typeCount}; ${JSON.stringify(ours)}`);
  const raw = bpftoolDump(VMLINUX);
  if (!raw) {
    t.skip(NEEDS_BPFTOOL);
    return;
  }
  const theirs: Record<string, number> = {};
  for (const r of raw) theirs[r.kind] = (theirs[r.kind] ?? 0) + 1;
  assert.deepEqual(ours, theirs);
});

test('vmlinux: every type decodes and agrees with bpftool on kind, name, size, vlen and type_id', (t) => {
  const btf = kernel(t);
  if (!btf) return;
  const raw = bpftoolDump(VMLINUX);
  if (!raw) {
    t.skip(NEEDS_BPFTOOL);
    return;
  }
  assert.equal(raw.length, btf.typeCount);
  let named = 0;
  for (const r of raw) {
    const ty = btf.type(r.id);
    const where = `[${r.id}] ${r.kind} '${r.name}'`;
    assert.equal(ty.kind, r.kind, where);
    assert.equal(ty.name, r.name, where);
    if (r.attrs['size'] !== undefined && 'size' in ty)
      assert.equal(ty.size, Number(r.attrs['size']), where);
    if (r.attrs['type_id'] !== undefined && 'type' in ty)
      assert.equal(ty.type, Number(r.attrs['type_id']), where);
    if (ty.kind === 'STRUCT' || ty.kind === 'UNION') {
      assert.deepEqual(
        ty.members.map((m) => [m.name, m.type, m.bitOffset, m.bitfieldSize]),
        r.members.map((m) => [m.name, m.typeId, m.bitsOffset, m.bitfieldSize]),
        where,
      );
    }
    if (ty.kind === 'FUNC_PROTO') {
      assert.equal(ty.returnType, Number(r.attrs['ret_type_id']), where);
      assert.equal(ty.params.length + (ty.variadic ? 1 : 0), Number(r.attrs['vlen']), where);
    }
    if (ty.kind === 'ARRAY') assert.equal(ty.nelems, Number(r.attrs['nr_elems']), where);
    if (ty.name !== '') named++;
    btf.typeName(r.id);
  }
  t.diagnostic(`${raw.length} types compared, ${named} named`);
});

test('vmlinux: vfs_read prototype', (t) => {
  const btf = kernel(t);
  if (!btf) return;
  const p = btf.functionPrototype('vfs_read');
  // Kernels built with btf_type_tag support spell the buffer `char __user *`.
  const user = p.params[1]?.isUserPtr === true;
  const buf = user ? 'char __user *' : 'char *';
  t.diagnostic(`__user type tags in this BTF: ${user}`);
  assert.equal(
    btf.renderPrototype('vfs_read'),
    `ssize_t vfs_read(struct file *file, ${buf}buf, size_t count, loff_t *pos)`,
  );
  assert.deepEqual(
    p.params.map((x) => [x.name, x.type, x.size, x.isPointer, x.isString, x.signed]),
    [
      ['file', 'struct file *', 8, true, false, false],
      ['buf', buf, 8, true, true, false],
      ['count', 'size_t', 8, false, false, false],
      ['pos', 'loff_t *', 8, true, false, false],
    ],
  );
  assert.deepEqual(
    [p.returnType, p.returnSize, p.returnSigned, p.returnIsVoid],
    ['ssize_t', 8, true, false],
  );
});

/** Member lookup on bpftool's records, searching anonymous members: bit offset and member. */
function rawMember(
  byId: Map<number, RawType>,
  structId: number,
  name: string,
): { bits: number; typeId: number } | undefined {
  const s = byId.get(structId)!;
  for (const m of s.members) if (m.name === name) return { bits: m.bitsOffset, typeId: m.typeId };
  for (const m of s.members) {
    if (m.name !== '') continue;
    const inner = rawMember(byId, strip(byId, m.typeId), name);
    if (inner) return { bits: m.bitsOffset + inner.bits, typeId: inner.typeId };
  }
  return undefined;
}

/** Skip typedef/const/volatile/ptr to the struct behind a member type. */
function strip(byId: Map<number, RawType>, id: number): number {
  let cur = id;
  for (;;) {
    const r = byId.get(cur)!;
    if (r.kind === 'STRUCT' || r.kind === 'UNION') return cur;
    cur = Number(r.attrs['type_id']);
  }
}

test('vmlinux: file->f_path.dentry->d_name.name offsets agree with bpftool', (t) => {
  const btf = kernel(t);
  if (!btf) return;
  const fileId = btf.findTypes('file', 'STRUCT')[0]!;
  const a = btf.resolveMemberPath({ pointerTo: fileId }, [
    { op: '->', name: 'f_path' },
    { op: '.', name: 'dentry' },
    { op: '->', name: 'd_name' },
    { op: '.', name: 'name' },
  ]);
  assert.equal(a.reads.length, 1);
  assert.equal(a.string, 'pointer');
  assert.equal(a.size, 8);
  t.diagnostic(
    `fetch: +${a.offset}(+${a.reads[0]}(FILE)) then :string through one more dereference`,
  );
  const raw = bpftoolDump(VMLINUX);
  if (!raw) {
    t.skip(NEEDS_BPFTOOL);
    return;
  }
  const byId = new Map(raw.map((r) => [r.id, r]));
  const fPath = rawMember(byId, fileId, 'f_path')!;
  const dentry = rawMember(byId, strip(byId, fPath.typeId), 'dentry')!;
  const dName = rawMember(byId, strip(byId, dentry.typeId), 'd_name')!;
  const name = rawMember(byId, strip(byId, dName.typeId), 'name')!;
  assert.deepEqual(a.reads, [(fPath.bits + dentry.bits) / 8]);
  assert.equal(a.offset, (dName.bits + name.bits) / 8);
});

test('vmlinux: sk_buff->cloned is a 1-bit bitfield', (t) => {
  const btf = kernel(t);
  if (!btf) return;
  const skb = btf.findTypes('sk_buff', 'STRUCT')[0]!;
  const a = btf.resolveMemberPath({ pointerTo: skb }, [{ op: '->', name: 'cloned' }]);
  assert.equal(a.bitfield?.width, 1);
  const raw = bpftoolDump(VMLINUX);
  if (!raw) {
    t.skip(NEEDS_BPFTOOL);
    return;
  }
  const m = rawMember(new Map(raw.map((r) => [r.id, r])), skb, 'cloned')!;
  const bits = m.bits;
  assert.equal(
    a.offset * 8 + a.bitfield!.bitOffset,
    bits,
    'container offset + bit offset = BTF bit offset',
  );
  t.diagnostic(`cloned: BTF bit ${bits}; fetch +${a.offset}(SKB):${a.bitfield?.tracefsType}`);
});

test('vmlinux: ENUM64 values agree with bpftool', (t) => {
  const btf = kernel(t);
  if (!btf) return;
  const raw = bpftoolDump(VMLINUX);
  if (!raw) {
    t.skip(NEEDS_BPFTOOL);
    return;
  }
  const enums = raw.filter((r) => r.kind === 'ENUM64');
  if (enums.length === 0) {
    t.skip('this kernel has no ENUM64 types');
    return;
  }
  for (const r of enums) {
    const ty = btf.type(r.id);
    assert.ok(ty.kind === 'ENUM64');
    if (ty.kind !== 'ENUM64') continue;
    assert.deepEqual(
      ty.values.map((v) => [v.name, v.value]),
      r.values.map((v) => [v.name, v.value]),
      `[${r.id}]`,
    );
  }
  const cc = btf.findTypes('perf_callchain_context', 'ENUM64')[0];
  if (cc !== undefined) {
    const ty = btf.type(cc);
    assert.ok(
      ty.kind === 'ENUM64' &&
        ty.values.some((v) => v.name === 'PERF_CONTEXT_MAX' && v.value === 2n ** 64n - 4095n),
    );
  }
});

test('vmlinux: __x64_sys_openat is a pt_regs wrapper; pt_regs offsets', (t) => {
  const btf = kernel(t);
  if (!btf) return;
  if (process.arch !== 'x64') {
    t.skip('needs x86_64 (pt_regs layout and __x64_sys_ names)');
    return;
  }
  const p = btf.functionPrototype('__x64_sys_openat');
  assert.equal(isPtRegsWrapper(p), true);
  assert.equal(isPtRegsWrapper(btf.functionPrototype('vfs_read')), false);
  const off = ptRegsOffsets(btf);
  assert.deepEqual(
    [off['di'], off['si'], off['dx'], off['r10'], off['r8'], off['r9']],
    [112, 104, 96, 56, 72, 64],
  );
  assert.equal(off['orig_ax'], 120);
});

test('vmlinux: read + index time (reported, not asserted)', (t) => {
  if (!bytes) {
    t.skip(NEEDS_BTF);
    return;
  }
  const runs: number[] = [];
  const lookups: number[] = [];
  for (let i = 0; i < 7; i++) {
    const t0 = performance.now();
    const b = parseBtf(readFileSync(VMLINUX), { name: 'vmlinux' });
    runs.push(performance.now() - t0);
    const t1 = performance.now();
    b.functionPrototype('vfs_read');
    lookups.push(performance.now() - t1);
  }
  const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
  const msg = `read + index median ${median(runs).toFixed(1)} ms over ${runs.length} runs (${runs.map((r) => r.toFixed(1)).join(', ')}); first prototype lookup (builds the FUNC name map) median ${median(lookups).toFixed(1)} ms`;
  t.diagnostic(msg);
  console.log(`btf timing: ${msg}`);
  assert.equal(runs.length, 7);
});
