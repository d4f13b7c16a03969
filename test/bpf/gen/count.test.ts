import assert from 'node:assert/strict';
import { test } from 'node:test';
import { formatField, ptRegsArg, X86_64_PT_REGS } from '../../../src/bpf/gen/context.js';
import { countKeySize, countProgram } from '../../../src/bpf/gen/count.js';
import {
  decodeRecord,
  perfRecordProgram,
  recordProgram,
  recordSize,
} from '../../../src/bpf/gen/record.js';
import { disasm } from '../../../src/bpf/insn/disasm.js';
import { Helper } from '../../../src/bpf/insn/helpers.js';
import { ProbekitError } from '../../../src/errors.js';
import { HEAP_BASE, run } from './interp.js';

// events/syscalls/sys_enter_read/format, captured on Linux 6.18 x86_64.
const SYS_ENTER_READ = `name: sys_enter_read
ID: 755
format:
\tfield:unsigned short common_type;\toffset:0;\tsize:2;\tsigned:0;
\tfield:unsigned char common_flags;\toffset:2;\tsize:1;\tsigned:0;
\tfield:unsigned char common_preempt_count;\toffset:3;\tsize:1;\tsigned:0;
\tfield:int common_pid;\toffset:4;\tsize:4;\tsigned:1;

\tfield:int __syscall_nr;\toffset:8;\tsize:4;\tsigned:1;
\tfield:unsigned int fd;\toffset:16;\tsize:8;\tsigned:0;
\tfield:char * buf;\toffset:24;\tsize:8;\tsigned:0;
\tfield:size_t count;\toffset:32;\tsize:8;\tsigned:0;

print fmt: "fd: 0x%08lx, buf: 0x%08lx, count: 0x%08lx", ((unsigned long)(REC->fd)), ((unsigned long)(REC->buf)), ((unsigned long)(REC->count))
`;

test('tracepoint fields come from the format file; bad names list the fields', () => {
  assert.deepEqual(formatField(SYS_ENTER_READ, 'count'), {
    offset: 32,
    size: 8,
    signed: false,
    name: 'count',
  });
  assert.deepEqual(formatField(SYS_ENTER_READ, '__syscall_nr'), {
    offset: 8,
    size: 4,
    signed: true,
    name: '__syscall_nr',
  });
  assert.throws(
    () => formatField(SYS_ENTER_READ, 'size'),
    (e) =>
      e instanceof ProbekitError &&
      e.code === 'E_BPF_FIELD' &&
      /fields: __syscall_nr, fd, buf, count/.test(e.hint ?? ''),
  );
});

test('pt_regs offsets follow the x86_64 layout', () => {
  assert.equal(X86_64_PT_REGS.di, 112);
  assert.equal(X86_64_PT_REGS.si, 104);
  assert.equal(X86_64_PT_REGS.dx, 96);
  assert.equal(X86_64_PT_REGS.cx, 88);
  assert.equal(X86_64_PT_REGS.r8, 72);
  assert.equal(X86_64_PT_REGS.r9, 64);
  assert.equal(X86_64_PT_REGS.ax, 80);
  assert.equal(X86_64_PT_REGS.ip, 128);
  assert.equal(X86_64_PT_REGS.sp, 152);
  assert.deepEqual(ptRegsArg(2), { offset: 96, size: 8, signed: false, name: 'dx' });
  assert.equal(ptRegsArg('ret').offset, 80);
  assert.throws(() => ptRegsArg(6), /argument 6 is not passed in a register/);
});

test('the counter skips other processes, and inserts key fp-16 with value 1 (fp-24) and BPF_NOEXIST', () => {
  const prog = countProgram({ mapFd: 7, key: { by: 'pid' }, tgid: 4321 });
  const ctx = new Uint8Array(8);
  // Events of another process are skipped before any map call.
  const other = run(prog, ctx, { [Helper.get_current_pid_tgid]: () => (99n << 32n) | 99n });
  assert.equal(other.r0, 0n);
  let flags: bigint | undefined;
  const res = run(prog, ctx, {
    [Helper.get_current_pid_tgid]: () => (4321n << 32n) | 4322n,
    [Helper.map_lookup_elem]: () => 0n,
    [Helper.map_update_elem]: (regs) => {
      flags = regs[4];
      return 0n;
    },
  });
  const dv = new DataView(res.stack.buffer);
  assert.equal(dv.getUint32(512 - 16, true), 4321, 'key = tgid');
  assert.equal(dv.getBigUint64(512 - 24, true), 1n, 'initial count 1');
  assert.equal(flags, 1n, 'BPF_NOEXIST');
  assert.equal(res.r0, 0n);
  assert.equal(countKeySize({ by: 'comm' }), 16);
  assert.match(disasm(prog), /lock \*\(u64 \*\)\(r0 \+ 0\) \+= r1/);
});

test('an existing key is incremented in place, and a lost insert race adds to the winner', () => {
  const prog = countProgram({ mapFd: 7, key: { by: 'value', value: ptRegsArg(0) } });
  const ctx = new Uint8Array(168);
  new DataView(ctx.buffer).setBigUint64(112, 0xabcn, true);
  // The key exists: one lookup, counter + 1, no update.
  const hit = run(prog, ctx, {
    [Helper.map_lookup_elem]: () => HEAP_BASE,
    [Helper.map_update_elem]: () => {
      throw new Error('no update expected');
    },
  });
  assert.equal(new DataView(hit.heap.buffer).getBigUint64(0, true), 1n);
  assert.equal(new DataView(hit.stack.buffer).getBigUint64(512 - 16, true), 0xabcn, 'key = di');
  // Another CPU inserts between our lookup and update: EEXIST, then a second lookup finds it.
  let lookups = 0;
  const race = run(prog, ctx, {
    [Helper.map_lookup_elem]: () => (lookups++ === 0 ? 0n : HEAP_BASE),
    [Helper.map_update_elem]: () => BigInt.asUintN(64, -17n),
  });
  assert.equal(lookups, 2);
  assert.equal(new DataView(race.heap.buffer).getBigUint64(0, true), 1n);
});

test('records: layout, decoding and limits', () => {
  assert.equal(recordSize(3), 56);
  const data = new Uint8Array(48);
  const dv = new DataView(data.buffer);
  dv.setUint32(0, 11, true);
  dv.setUint32(4, 10, true);
  dv.setBigUint64(8, 123456789n, true);
  data.set(new TextEncoder().encode('bash'), 16);
  dv.setBigUint64(32, 7n, true);
  dv.setBigUint64(40, 0xffffffffffffffffn, true);
  assert.deepEqual(decodeRecord(data, 2), {
    pid: 11,
    tgid: 10,
    timestampNs: 123456789n,
    comm: 'bash',
    values: [7n, 0xffffffffffffffffn],
  });
  assert.throws(() => decodeRecord(data, 3), /shorter than the 56 expected/);
  const many = Array.from({ length: 61 }, () => ptRegsArg(0));
  assert.throws(
    () => perfRecordProgram({ perfMapFd: 3, values: many }),
    /does not fit on the BPF stack/,
  );
  assert.match(disasm(recordProgram({ ringbufFd: 4, values: [] })), /call bpf_ringbuf_reserve#131/);
});
