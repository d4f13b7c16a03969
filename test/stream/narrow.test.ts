import assert from 'node:assert/strict';
import { test } from 'node:test';
import { narrowInteger } from '../../src/stream/ctypes.js';
import { parseFormat } from '../../src/stream/format.js';
import { compileRecordDecoder } from '../../src/stream/record.js';
import { typedValue } from '../../src/stream/text-payload.js';

// The layout of syscalls/sys_enter_openat on 6.18 (x86_64): `int dfd` in an 8-byte unsigned slot.
const OPENAT = `name: sys_enter_openat
ID: 782
format:
\tfield:unsigned short common_type;\toffset:0;\tsize:2;\tsigned:0;
\tfield:unsigned char common_flags;\toffset:2;\tsize:1;\tsigned:0;
\tfield:unsigned char common_preempt_count;\toffset:3;\tsize:1;\tsigned:0;
\tfield:int common_pid;\toffset:4;\tsize:4;\tsigned:1;

\tfield:int __syscall_nr;\toffset:8;\tsize:4;\tsigned:1;
\tfield:int dfd;\toffset:16;\tsize:8;\tsigned:0;
\tfield:const char * filename;\toffset:24;\tsize:8;\tsigned:0;
\tfield:int flags;\toffset:32;\tsize:8;\tsigned:0;
\tfield:umode_t mode;\toffset:40;\tsize:8;\tsigned:0;

print fmt: "dfd: 0x%08lx", ((unsigned long)(REC->dfd))
`;

test('a declared int in an 8-byte syscall slot reads as a signed int', () => {
  assert.deepEqual(narrowInteger('int', 8), { size: 4, signed: true });
  assert.deepEqual(narrowInteger('unsigned int', 8), { size: 4, signed: false });
  assert.equal(narrowInteger('const char *', 8), null);
  assert.equal(narrowInteger('long', 8), null);
  assert.equal(narrowInteger('int', 4), null);
  const f = parseFormat(OPENAT, 'syscalls');
  const dfd = f.fields.find((x) => x.name === 'dfd')!;
  assert.deepEqual(dfd.narrow, { size: 4, signed: true });
  assert.equal(f.fields.find((x) => x.name === 'filename')!.narrow, null);
});

test('binary and text decoding give dfd = -100 whether the register was zero- or sign-extended', () => {
  const f = parseFormat(OPENAT, 'syscalls');
  const dec = compileRecordDecoder(f);
  for (const raw of [0xffffff9cn, 0xffffffffffffff9cn]) {
    const bytes = new Uint8Array(48);
    const view = new DataView(bytes.buffer);
    view.setUint16(0, 782, true);
    view.setInt32(4, 1234, true);
    view.setBigUint64(16, raw, true);
    view.setBigUint64(24, 0x7ffd0000n, true);
    const rec = dec.decode({ view, bytes, start: 0, length: 48, le: true });
    assert.equal(rec.fields['dfd'], -100);
    assert.equal(rec.fields['filename'], 0x7ffd0000n);
  }
  const dfd = f.fields.find((x) => x.name === 'dfd')!;
  assert.equal(typedValue('ffffff9c', dfd, true), -100);
});
