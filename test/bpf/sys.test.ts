import assert from 'node:assert/strict';
import { test } from 'node:test';
import { parseCpuList } from '../../src/bpf/cpus.js';
import { NAME_PREFIX, objectName } from '../../src/bpf/names.js';
import { type PerfItem, readPerfRing } from '../../src/bpf/perfbuf.js';
import { errnoName, syscallError } from '../../src/bpf/sys/errno.js';
import {
  MapCreateAttr,
  PerfEventAttr,
  ProgLoadAttr,
  pack,
  readField,
  readName,
} from '../../src/bpf/sys/layout.js';
import { SYSCALL_NR } from '../../src/bpf/sys/numbers.js';
import { tracefsRoot } from '../../src/bpf/tracefs-path.js';
import { KernelError, UnsupportedError } from '../../src/errors.js';

test('syscall numbers per architecture', () => {
  assert.deepEqual(SYSCALL_NR.x64, { bpf: 321, perf_event_open: 298 });
  assert.deepEqual(SYSCALL_NR.arm64, { bpf: 280, perf_event_open: 241 });
});

test('attrs are packed at the kernel offsets, little-endian, names NUL-terminated', () => {
  const a = pack(MapCreateAttr, {
    map_type: 1,
    key_size: 4,
    value_size: 8,
    max_entries: 0x01020304,
    map_name: 'probekit_abcdefghijk',
  });
  assert.equal(a.length, 72);
  assert.deepEqual([...a.subarray(0, 16)], [1, 0, 0, 0, 4, 0, 0, 0, 8, 0, 0, 0, 4, 3, 2, 1]);
  assert.equal(readName(MapCreateAttr, a, 'map_name'), 'probekit_abcdef');
  assert.equal(a[28 + 15], 0, 'room kept for the NUL');
  const p = pack(ProgLoadAttr, { insns: 0x1122334455667788n, log_size: 4096 });
  assert.equal(readField(ProgLoadAttr, p, 'insns'), 0x1122334455667788n);
  assert.equal(p[8], 0x88);
  assert.equal(readField(ProgLoadAttr, p, 'log_size'), 4096n);
  const e = pack(PerfEventAttr, { type: 8, size: 128, config1: 0xdeadn, config2: 0x1149n });
  assert.equal(readField(PerfEventAttr, e, 'config1'), 0xdeadn);
  assert.equal(new DataView(e.buffer).getBigUint64(64, true), 0x1149n, 'config2 at offset 64');
  assert.throws(() => pack(MapCreateAttr, { nope: 1 } as never), /no field nope/);
});

test('errno values become structured errors with the values passed and a hint', () => {
  assert.equal(errnoName(1), 'EPERM');
  assert.equal(errnoName(28), 'ENOSPC');
  assert.equal(errnoName(99999), 'errno 99999');
  const e = syscallError('bpf(BPF_MAP_CREATE)', 22, { map_type: 2, key_size: 8 });
  assert.ok(e instanceof KernelError);
  assert.equal(e.code, 'E_BPF_SYSCALL');
  assert.equal(e.message, 'bpf(BPF_MAP_CREATE): EINVAL (passed map_type=2 key_size=8)');
  assert.equal(e.details['errnoName'], 'EINVAL');
  assert.match(syscallError('x', 1).hint ?? '', /root, or CAP_BPF and CAP_PERFMON/);
  assert.match(syscallError('x', 7).hint ?? '', /larger than the kernel accepts/);
  assert.equal(syscallError('x', 2, {}, 'no such tracepoint').hint, 'no such tracepoint');
});

test('object names start with probekit_ and fit in 15 characters', () => {
  assert.equal(objectName('count'), 'probekit_count');
  assert.equal(objectName('a-very-long-name'), 'probekit_a_very');
  assert.equal(objectName('probekit_x'), 'probekit_x');
  assert.ok(objectName('x'.repeat(40)).startsWith(NAME_PREFIX));
  assert.ok(objectName('x'.repeat(40)).length <= 15);
});

test('CPU lists', () => {
  assert.deepEqual(parseCpuList('0-3,6\n'), [0, 1, 2, 3, 6]);
  assert.deepEqual(parseCpuList('0'), [0]);
  assert.throws(() => parseCpuList('3-1'), /bad CPU list "3-1"/);
});

/** A fake perf ring: metadata page plus `size` data bytes, records written at `start`. */
function fakeRing(size: number, start: number, records: Uint8Array[]) {
  const meta = new DataView(new ArrayBuffer(4096));
  const data = new Uint8Array(size);
  let pos = start;
  for (const r of records) {
    for (const b of r) data[pos++ % size] = b;
  }
  meta.setBigUint64(1032, BigInt(start), true); // data_tail
  meta.setBigUint64(1024, BigInt(pos), true); // data_head
  return { cpu: 3, meta, data };
}

function sample(payload: number[]): Uint8Array {
  const size = 8 + 4 + payload.length;
  const padded = Math.ceil(size / 8) * 8;
  const b = new Uint8Array(padded);
  const dv = new DataView(b.buffer);
  dv.setUint32(0, 9, true);
  dv.setUint16(6, padded, true);
  dv.setUint32(8, payload.length, true);
  b.set(payload, 12);
  return b;
}

function lost(n: bigint): Uint8Array {
  const b = new Uint8Array(24);
  const dv = new DataView(b.buffer);
  dv.setUint32(0, 2, true);
  dv.setUint16(6, 24, true);
  dv.setBigUint64(16, n, true);
  return b;
}

test('perf ring records are read across the wrap, losses reported, tail advanced', () => {
  const ring = fakeRing(64, 40, [
    sample([1, 2, 3, 4]),
    lost(7n),
    sample([9, 9, 9, 9, 9, 9, 9, 9, 9, 9, 9, 9]),
  ]);
  const items: PerfItem[] = [];
  assert.equal(
    readPerfRing(ring, (i) => items.push(i)),
    3,
  );
  assert.deepEqual(items[0], { type: 'sample', cpu: 3, data: Uint8Array.from([1, 2, 3, 4]) });
  assert.deepEqual(items[1], { type: 'lost', cpu: 3, count: 7, source: 'bpf' });
  assert.deepEqual(items[2], { type: 'sample', cpu: 3, data: new Uint8Array(12).fill(9) });
  assert.equal(ring.meta.getBigUint64(1032, true), ring.meta.getBigUint64(1024, true));
  assert.equal(
    readPerfRing(ring, (i) => items.push(i)),
    0,
    'nothing left',
  );
});

test('a corrupt perf record is reported and skipped', () => {
  const ring = fakeRing(64, 0, [new Uint8Array(16)]);
  const items: PerfItem[] = [];
  readPerfRing(ring, (i) => items.push(i));
  assert.equal(items[0]?.type, 'decode-error');
  assert.equal(ring.meta.getBigUint64(1032, true), 16n);
});

test('tracefs is found through /proc/mounts, with debugfs as a fallback', () => {
  const both =
    'sysfs /sys sysfs rw 0 0\ntracefs /mnt/my\\040trace tracefs rw 0 0\ndebugfs /sys/kernel/debug debugfs rw 0 0\n';
  assert.equal(tracefsRoot(both), '/mnt/my trace');
  assert.equal(tracefsRoot('debugfs /dbg debugfs rw 0 0\n'), '/dbg/tracing');
  assert.throws(
    () => tracefsRoot('proc /proc proc rw 0 0\n'),
    (e) => e instanceof UnsupportedError && e.feature === 'tracefs',
  );
});
