/** The aggregation generators (keyed.ts, latency.ts, slot.ts) run in the interpreter: keys, conditions, latencies. */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { CtxScalar } from '../../../src/bpf/gen/context.js';
import {
  type Cond,
  keyedProgram,
  keyLayout,
  STAT_FULL,
  STAT_NO_STAMP,
} from '../../../src/bpf/gen/keyed.js';
import { STAMP_KEY, stampProgram } from '../../../src/bpf/gen/latency.js';
import { slotCountProgram } from '../../../src/bpf/gen/slot.js';
import { Helper } from '../../../src/bpf/insn/helpers.js';
import { HEAP_BASE, run } from './interp.js';

const MAP = 5;
const STAMPS = 6;
const STATS = 7;
const TGID = 4321n;
const PID_TGID = (TGID << 32n) | 4322n;
/** Where the main map's value lives in the interpreter's heap (the stamps use offset 0). */
const VALUE = 128n;

// raw_syscalls:sys_exit: long id at 8, long ret at 16.
const ID: CtxScalar = { offset: 8, size: 8, signed: true, name: 'id' };
const RET: CtxScalar = { offset: 16, size: 8, signed: true, name: 'ret' };

function ctx(id: bigint, ret: bigint): Uint8Array {
  const c = new Uint8Array(24);
  const v = new DataView(c.buffer);
  v.setBigInt64(8, id, true);
  v.setBigInt64(16, ret, true);
  return c;
}

interface Calls {
  lookups: bigint[];
  updates: { fd: bigint; flags: bigint }[];
  deletes: bigint[];
}

/** Fake helpers: the main map is empty (inserts succeed), stamps hold one entry (time 0) unless `noStamp`. */
function helpers(calls: Calls, o: { noStamp?: boolean; mapFull?: boolean; now?: bigint } = {}) {
  return {
    [Helper.get_current_pid_tgid]: () => PID_TGID,
    [Helper.ktime_get_ns]: () => o.now ?? 5_000n,
    [Helper.get_current_comm]: () => 0n,
    [Helper.map_lookup_elem]: (r: bigint[]) => {
      const fd = r[1] as bigint;
      calls.lookups.push(fd);
      if (fd === BigInt(STAMPS)) return o.noStamp ? 0n : HEAP_BASE;
      if (fd === BigInt(STATS)) return HEAP_BASE + 64n;
      return 0n;
    },
    [Helper.map_update_elem]: (r: bigint[]) => {
      calls.updates.push({ fd: r[1] as bigint, flags: r[4] as bigint });
      return o.mapFull ? BigInt.asUintN(64, -7n) : 0n;
    },
    [Helper.map_delete_elem]: (r: bigint[]) => {
      calls.deletes.push(r[1] as bigint);
      return 0n;
    },
  };
}

const fresh = (): Calls => ({ lookups: [], updates: [], deletes: [] });
const u64At = (b: Uint8Array, off: number) =>
  new DataView(b.buffer, b.byteOffset).getBigUint64(off, true);
const u32At = (b: Uint8Array, off: number) =>
  new DataView(b.buffer, b.byteOffset).getUint32(off, true);

test('key parts are aligned to their size, comm to 8, and the key to 8 bytes', () => {
  assert.deepEqual(
    keyLayout([
      { kind: 'const', value: 3 },
      { kind: 'tgid' },
      { kind: 'comm' },
      { kind: 'operand', operand: { kind: 'ctx', scalar: ID } },
      { kind: 'log2' },
    ]),
    { size: 40, offsets: [0, 4, 8, 24, 32] },
  );
  assert.deepEqual(keyLayout([{ kind: 'log2' }]), { size: 8, offsets: [0] });
  assert.deepEqual(
    keyLayout([
      { kind: 'const', value: 0 },
      { kind: 'operand', operand: { kind: 'tid' } },
    ]),
    { size: 16, offsets: [0, 8] },
  );
});

test('a stack key part: bpf_get_stackid(ctx, stack map, flags); a negative id still counts', () => {
  const STACKS = 9;
  const keyed = (user: boolean, id: bigint) => {
    const seen: bigint[][] = [];
    const calls = fresh();
    const r = run(
      keyedProgram({
        mapFd: MAP,
        key: [
          { kind: 'const', value: 3 },
          { kind: 'stack', stackMapFd: STACKS, user },
        ],
      }),
      ctx(0n, 0n),
      {
        ...helpers(calls),
        [Helper.get_stackid]: (regs: bigint[]) => {
          seen.push(regs.slice(1, 4));
          return BigInt.asUintN(64, id);
        },
      },
    );
    return { seen, calls, key: 512 - 40 - 8, stack: r.stack, ctxAt: r.regs[6] };
  };
  const k = keyed(false, 42n);
  assert.deepEqual(k.seen, [[k.ctxAt as bigint, BigInt(STACKS), 0n]], 'ctx, the map, flags 0');
  assert.equal(u32At(k.stack, k.key), 3);
  assert.equal(u32At(k.stack, k.key + 4), 42, 'the stack id');
  assert.deepEqual(k.calls.updates, [{ fd: BigInt(MAP), flags: 1n }]);
  const u = keyed(true, 7n);
  assert.equal(u.seen[0]?.[2], 256n, 'BPF_F_USER_STACK');
  const lost = keyed(false, -17n);
  assert.equal(
    new DataView(lost.stack.buffer).getInt32(lost.key + 4, true),
    -17,
    '-EEXIST kept as is',
  );
  assert.equal(lost.calls.updates.length, 1, 'the event still counts');
  assert.deepEqual(
    keyLayout([
      { kind: 'const', value: 0 },
      { kind: 'tgid' },
      { kind: 'comm' },
      { kind: 'stack', stackMapFd: STACKS },
    ]),
    { size: 32, offsets: [0, 4, 8, 24] },
  );
});

test('syscount -x: failed calls are keyed by (id, ret); others never touch the map', () => {
  const key = [
    { kind: 'operand', operand: { kind: 'ctx', scalar: ID } },
    { kind: 'operand', operand: { kind: 'ctx', scalar: RET } },
  ] as const;
  const cond: Cond = { kind: 'cmp', operand: { kind: 'ctx', scalar: RET }, op: '<', value: 0n };
  const prog = keyedProgram({ mapFd: MAP, key, cond, statsFd: STATS });
  const ok = fresh();
  run(prog, ctx(257n, 3n), helpers(ok));
  assert.deepEqual(ok.lookups, [], 'ret 3 is not counted');
  const failed = fresh();
  const r = run(prog, ctx(257n, -2n), helpers(failed));
  assert.deepEqual(failed.updates, [{ fd: BigInt(MAP), flags: 1n }], 'insert with BPF_NOEXIST');
  // The key sits right below the initial value (fp-40): 16 bytes, id then ret.
  const keyAt = 512 - 40 - 16;
  assert.equal(u64At(r.stack, keyAt), 257n);
  assert.equal(BigInt.asIntN(64, u64At(r.stack, keyAt + 8)), -2n, 'ret kept signed');
  assert.equal(u64At(r.stack, 512 - 40), 1n, 'initial count 1');
});

test('signed and unsigned comparisons, and/or/not, and 64-bit constants', () => {
  const scalar = (signed: boolean): CtxScalar => ({ offset: 16, size: 8, signed, name: 'x' });
  const counted = (cond: Cond, ret: bigint): boolean => {
    const calls = fresh();
    run(
      keyedProgram({ mapFd: MAP, key: [{ kind: 'const', value: 0 }], cond }),
      ctx(0n, ret),
      helpers(calls),
    );
    return calls.updates.length === 1;
  };
  const lt0 = (signed: boolean): Cond => ({
    kind: 'cmp',
    operand: { kind: 'ctx', scalar: scalar(signed) },
    op: '<',
    value: 0n,
  });
  assert.equal(counted(lt0(true), -1n), true);
  assert.equal(counted(lt0(false), -1n), false, 'unsigned: nothing is below 0');
  const big: Cond = {
    kind: 'cmp',
    operand: { kind: 'ctx', scalar: scalar(false) },
    op: '>=',
    value: 1n << 40n,
  };
  assert.equal(counted(big, (1n << 40n) + 1n), true);
  assert.equal(counted(big, (1n << 40n) - 1n), false);
  const between: Cond = {
    kind: 'and',
    left: { kind: 'cmp', operand: { kind: 'ctx', scalar: scalar(true) }, op: '>', value: 10n },
    right: {
      kind: 'not',
      operand: {
        kind: 'cmp',
        operand: { kind: 'ctx', scalar: scalar(true) },
        op: '>=',
        value: 20n,
      },
    },
  };
  assert.deepEqual(
    [5n, 11n, 19n, 20n].map((v) => counted(between, v)),
    [false, true, true, false],
  );
  const either: Cond = {
    kind: 'or',
    left: { kind: 'cmp', operand: { kind: 'ctx', scalar: scalar(true) }, op: '==', value: 1n },
    right: { kind: 'cmp', operand: { kind: 'ctx', scalar: scalar(true) }, op: '&', value: 8n },
  };
  assert.deepEqual(
    [1n, 2n, 8n, 12n].map((v) => counted(either, v)),
    [true, false, true, true],
  );
  const byThread: Cond = { kind: 'cmp', operand: { kind: 'tid' }, op: '==', value: 4322n };
  assert.equal(counted(byThread, 0n), true, 'tid is the low half of pid_tgid');
});

test('process filter: only the tgid asked for, never the excluded ones', () => {
  const calls = fresh();
  const key = [{ kind: 'const', value: 0 }] as const;
  run(keyedProgram({ mapFd: MAP, key, tgid: 99 }), ctx(0n, 0n), helpers(calls));
  assert.deepEqual(calls.lookups, []);
  run(keyedProgram({ mapFd: MAP, key, exclude: [1, Number(TGID)] }), ctx(0n, 0n), helpers(calls));
  assert.deepEqual(calls.lookups, []);
  run(
    keyedProgram({ mapFd: MAP, key, tgid: Number(TGID), exclude: [1] }),
    ctx(0n, 0n),
    helpers(calls),
  );
  assert.deepEqual(calls.lookups, [BigInt(MAP)]);
});

test('latency: the return side measures from the stamp, deletes it, sums and buckets (divided)', () => {
  const prog = keyedProgram({
    mapFd: MAP,
    key: [{ kind: 'const', value: 2 }, { kind: 'log2' }],
    measure: { kind: 'elapsed', stampsFd: STAMPS, index: 2, requireStamp: true },
    sum: true,
    divisor: 1000,
    statsFd: STATS,
  });
  const calls = fresh();
  // Stamp 0 (the heap starts zeroed), now 5000 ns: 5 us, bucket 3 ([4, 8)).
  const r = run(prog, new Uint8Array(8), helpers(calls));
  assert.deepEqual(calls.deletes, [BigInt(STAMPS)]);
  assert.equal(u64At(r.stack, 512 + STAMP_KEY), PID_TGID, 'stamp key: pid_tgid');
  assert.equal(u32At(r.stack, 512 + STAMP_KEY + 8), 2, 'stamp key: index');
  const keyAt = 512 - 40 - 8;
  assert.equal(u32At(r.stack, keyAt), 2);
  assert.equal(u32At(r.stack, keyAt + 4), 3, 'log2 bucket of 5');
  assert.equal(u64At(r.stack, 512 - 40), 1n);
  assert.equal(u64At(r.stack, 512 - 32), 5_000n, 'the sum is in ns, undivided');

  // No stamp: nothing is counted, the miss is (stats slot 1).
  const miss = fresh();
  const m = run(prog, new Uint8Array(8), helpers(miss, { noStamp: true }));
  assert.deepEqual(miss.updates, []);
  assert.deepEqual(miss.lookups, [BigInt(STAMPS), BigInt(STATS)]);
  assert.equal(u32At(m.stack, 512 - 8), STAT_NO_STAMP);
  assert.equal(u64At(m.heap, 64), 1n);

  // Without requireStamp the event counts, with 0 ns.
  const lax = keyedProgram({
    mapFd: MAP,
    key: [{ kind: 'const', value: 0 }],
    measure: { kind: 'elapsed', stampsFd: STAMPS, index: 0, requireStamp: false },
    sum: true,
  });
  const l = fresh();
  const lr = run(lax, new Uint8Array(8), helpers(l, { noStamp: true }));
  assert.equal(l.updates.length, 1);
  assert.equal(u64At(lr.stack, 512 - 32), 0n);
});

test('an existing key is added to atomically: count and sum', () => {
  const prog = keyedProgram({
    mapFd: MAP,
    key: [{ kind: 'const', value: 0 }],
    measure: { kind: 'operand', operand: { kind: 'ctx', scalar: RET } },
    sum: true,
  });
  const r = run(prog, ctx(0n, 42n), {
    [Helper.map_lookup_elem]: () => HEAP_BASE + VALUE,
    [Helper.map_update_elem]: () => {
      throw new Error('no insert expected');
    },
  });
  assert.equal(u64At(r.heap, Number(VALUE)), 1n);
  assert.equal(u64At(r.heap, Number(VALUE) + 8), 42n);
});

test('a full map counts the event as dropped (stats slot 0)', () => {
  const calls = fresh();
  const r = run(
    keyedProgram({ mapFd: MAP, key: [{ kind: 'const', value: 0 }], statsFd: STATS }),
    new Uint8Array(8),
    helpers(calls, { mapFull: true }),
  );
  assert.deepEqual(calls.lookups, [BigInt(MAP), BigInt(MAP), BigInt(STATS)]);
  assert.equal(u32At(r.stack, 512 - 8), STAT_FULL);
  assert.equal(u64At(r.heap, 64), 1n);
});

test('histograms of signed values put negatives in bucket 0', () => {
  const prog = keyedProgram({
    mapFd: MAP,
    key: [{ kind: 'log2' }],
    measure: {
      kind: 'operand',
      operand: { kind: 'ctx', scalar: { offset: 16, size: 4, signed: true, name: 'x' } },
      clampNegative: true,
    },
  });
  const bucket = (v: bigint): number => {
    const r = run(prog, ctx(0n, v), helpers(fresh()));
    return u32At(r.stack, 512 - 40 - 8);
  };
  assert.deepEqual([-5n, 0n, 1n, 2n, 3n, 4096n, 0x7fffffffn].map(bucket), [0, 0, 1, 2, 2, 13, 31]);
});

test('the entry side stores ktime under {pid_tgid, index} with BPF_ANY', () => {
  const calls = fresh();
  const r = run(
    stampProgram({ stampsFd: STAMPS, index: 7 }),
    new Uint8Array(8),
    helpers(calls, { now: 123n }),
  );
  assert.deepEqual(calls.updates, [{ fd: BigInt(STAMPS), flags: 0n }]);
  assert.equal(u64At(r.stack, 512 + STAMP_KEY), PID_TGID);
  assert.equal(u32At(r.stack, 512 + STAMP_KEY + 8), 7);
  assert.equal(u32At(r.stack, 512 + STAMP_KEY + 12), 0);
  assert.equal(u64At(r.stack, 512 - 32), 123n);
  const other = fresh();
  run(stampProgram({ stampsFd: STAMPS, index: 7, tgid: 1 }), new Uint8Array(8), helpers(other));
  assert.deepEqual(other.updates, []);
});

test('the slot counter adds 1 to its own slot', () => {
  const r = run(slotCountProgram({ mapFd: MAP, slot: 9 }), new Uint8Array(8), {
    [Helper.map_lookup_elem]: () => HEAP_BASE,
  });
  assert.equal(u32At(r.stack, 512 - 4), 9, 'key: the slot');
  assert.equal(u64At(r.heap, 0), 1n);
});
