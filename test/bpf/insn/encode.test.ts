import assert from 'node:assert/strict';
import { test } from 'node:test';
import * as b from '../../../src/bpf/insn/builder.js';
import { decode } from '../../../src/bpf/insn/decode.js';
import { encode } from '../../../src/bpf/insn/encode.js';
import type { Insn } from '../../../src/bpf/insn/types.js';
import { ProbekitError } from '../../../src/errors.js';

const hex = (u: Uint8Array) =>
  Buffer.from(u)
    .toString('hex')
    .replace(/(..)(?!$)/g, '$1 ');

/** Hand-derived from the instruction-set document: opcode, regs (src<<4|dst), off LE, imm LE. */
const KNOWN: [string, Insn, string][] = [
  ['mov64 r0, 0', b.mov64('r0', 0), 'b7 00 00 00 00 00 00 00'],
  ['exit', b.exit(), '95 00 00 00 00 00 00 00'],
  ['mov64 r6, r1', b.mov64('r6', 'r1'), 'bf 16 00 00 00 00 00 00'],
  ['mov32 w1, 1', b.mov32('r1', 1), 'b4 01 00 00 01 00 00 00'],
  ['add64 r1, -8', b.add64('r1', -8), '07 01 00 00 f8 ff ff ff'],
  ['sub64 r1, r2', b.sub64('r1', 'r2'), '1f 21 00 00 00 00 00 00'],
  ['mul64 r3, 7', b.alu64('mul', 'r3', 7), '27 03 00 00 07 00 00 00'],
  ['div64 r3, 7', b.alu64('div', 'r3', 7), '37 03 00 00 07 00 00 00'],
  ['sdiv64 r1, r2', b.sdiv64('r1', 'r2'), '3f 21 01 00 00 00 00 00'],
  ['smod64 r1, 3', b.smod64('r1', 3), '97 01 01 00 03 00 00 00'],
  ['or64 r1, 1', b.or64('r1', 1), '47 01 00 00 01 00 00 00'],
  ['and64 r1, 0xff', b.and64('r1', 0xff), '57 01 00 00 ff 00 00 00'],
  ['lsh64 r1, 32', b.lsh64('r1', 32), '67 01 00 00 20 00 00 00'],
  ['rsh64 r0, 32', b.rsh64('r0', 32), '77 00 00 00 20 00 00 00'],
  ['neg64 r1', b.neg64('r1'), '87 01 00 00 00 00 00 00'],
  ['xor32 w1, w2', b.alu32('xor', 'r1', 'r2'), 'ac 21 00 00 00 00 00 00'],
  ['arsh64 r1, 56', b.alu64('arsh', 'r1', 56), 'c7 01 00 00 38 00 00 00'],
  ['movsx64 r1 = (s8)r2', b.movsx64('r1', 'r2', 8), 'bf 21 08 00 00 00 00 00'],
  ['be16 r1', b.toBe('r1', 16), 'dc 01 00 00 10 00 00 00'],
  ['le32 r1', { kind: 'endian', order: 'le', bits: 32, dst: 1 }, 'd4 01 00 00 20 00 00 00'],
  ['bswap64 r1', b.bswap('r1', 64), 'd7 01 00 00 40 00 00 00'],
  ['ldxw r1, [r2+8]', b.ldx(4, 'r1', 'r2', 8), '61 21 08 00 00 00 00 00'],
  ['ldxh r1, [r2+2]', b.ldx(2, 'r1', 'r2', 2), '69 21 02 00 00 00 00 00'],
  ['ldxb r1, [r2+1]', b.ldx(1, 'r1', 'r2', 1), '71 21 01 00 00 00 00 00'],
  ['ldxdw r0, [r1+0]', b.ldx(8, 'r0', 'r1', 0), '79 10 00 00 00 00 00 00'],
  ['ldxsw r1, [r2+0]', b.ldxs(4, 'r1', 'r2', 0), '81 21 00 00 00 00 00 00'],
  ['ldxsh r1, [r2+0]', b.ldxs(2, 'r1', 'r2', 0), '89 21 00 00 00 00 00 00'],
  ['ldxsb r1, [r2+0]', b.ldxs(1, 'r1', 'r2', 0), '91 21 00 00 00 00 00 00'],
  ['stxdw [r10-8], r1', b.st(8, 'r10', -8, 'r1'), '7b 1a f8 ff 00 00 00 00'],
  ['stxw [r10-4], r0', b.st(4, 'r10', -4, 'r0'), '63 0a fc ff 00 00 00 00'],
  ['stxh [r1+2], r2', b.st(2, 'r1', 2, 'r2'), '6b 21 02 00 00 00 00 00'],
  ['stxb [r1+1], r2', b.st(1, 'r1', 1, 'r2'), '73 21 01 00 00 00 00 00'],
  ['stw [r10-4], 0', b.st(4, 'r10', -4, 0), '62 0a fc ff 00 00 00 00'],
  ['stdw [r10-24], 1', b.st(8, 'r10', -24, 1), '7a 0a e8 ff 01 00 00 00'],
  ['sth [r10-2], 5', b.st(2, 'r10', -2, 5), '6a 0a fe ff 05 00 00 00'],
  ['stb [r10-1], 9', b.st(1, 'r10', -1, 9), '72 0a ff ff 09 00 00 00'],
  ['jgt r1, 0x10, +3', b.jmp64('jgt', 'r1', 0x10, 3), '25 01 03 00 10 00 00 00'],
  ['jeq r0, 0, +2', b.jeq64('r0', 0, 2), '15 00 02 00 00 00 00 00'],
  ['jne r1, r2, -1', b.jne64('r1', 'r2', -1), '5d 21 ff ff 00 00 00 00'],
  ['jset r1, 4, +1', b.jmp64('jset', 'r1', 4, 1), '45 01 01 00 04 00 00 00'],
  ['jslt r1, r2, +1', b.jmp64('jslt', 'r1', 'r2', 1), 'cd 21 01 00 00 00 00 00'],
  ['jlt32 w1, 5, +1', b.jmp32('jlt', 'r1', 5, 1), 'a6 01 01 00 05 00 00 00'],
  ['ja +1', b.ja(1), '05 00 01 00 00 00 00 00'],
  [
    'gotol +70000',
    { kind: 'jump', wide: false, op: 'ja', dst: 0, src: { imm: 0 }, target: 70000 },
    '06 00 00 00 70 11 01 00',
  ],
  ['call 1', b.call('map_lookup_elem'), '85 00 00 00 01 00 00 00'],
  ['call local +3', { kind: 'call', src: 'local', imm: 3 }, '85 10 00 00 03 00 00 00'],
  ['lock add64', b.atomic('add', 8, 'r0', 0, 'r1'), 'db 10 00 00 00 00 00 00'],
  ['lock add32', b.atomic('add', 4, 'r0', 4, 'r1'), 'c3 10 04 00 00 00 00 00'],
  ['fetch_add64', b.atomic('add', 8, 'r1', 0, 'r2', true), 'db 21 00 00 01 00 00 00'],
  ['fetch_or64', b.atomic('or', 8, 'r1', 0, 'r2', true), 'db 21 00 00 41 00 00 00'],
  ['and64', b.atomic('and', 8, 'r1', 0, 'r2'), 'db 21 00 00 50 00 00 00'],
  ['fetch_xor32', b.atomic('xor', 4, 'r1', 0, 'r2', true), 'c3 21 00 00 a1 00 00 00'],
  ['xchg64', b.atomic('xchg', 8, 'r1', 0, 'r2'), 'db 21 00 00 e1 00 00 00'],
  ['cmpxchg64', b.atomic('cmpxchg', 8, 'r1', 0, 'r2'), 'db 21 00 00 f1 00 00 00'],
  [
    'ldabs b 12',
    { kind: 'ldpkt', mode: 'abs', size: 1, src: 0, imm: 12 },
    '30 00 00 00 0c 00 00 00',
  ],
  [
    'ldind w r1+4',
    { kind: 'ldpkt', mode: 'ind', size: 4, src: 1, imm: 4 },
    '40 10 00 00 04 00 00 00',
  ],
  ['ld_imm64 r1, map fd 5', b.ldMapFd('r1', 5), '18 11 00 00 05 00 00 00 00 00 00 00 00 00 00 00'],
  [
    'ld_imm64 r2, map value fd 7 + 16',
    b.ldMapValue('r2', 7, 16),
    '18 22 00 00 07 00 00 00 00 00 00 00 10 00 00 00',
  ],
  [
    'ld_imm64 r3, 0x1122334455667788',
    b.ldImm64('r3', 0x1122334455667788n),
    '18 03 00 00 88 77 66 55 00 00 00 00 44 33 22 11',
  ],
];

test('known encodings', () => {
  for (const [name, insn, bytes] of KNOWN) {
    assert.equal(hex(encode([insn])), bytes, name);
  }
});

test('decode(encode(x)) gives back every known instruction', () => {
  for (const [name, insn] of KNOWN) {
    assert.deepEqual(decode(encode([insn])), [insn], name);
  }
});

test('encode(decode(bytes)) gives back the bytes of a whole program', () => {
  const all = encode(KNOWN.map((k) => k[1]));
  assert.deepEqual(encode(decode(all)), all);
  assert.equal(decode(all).length, KNOWN.length);
});

test('labels resolve forwards and backwards, counting LD_IMM64 as two slots', () => {
  const prog: Insn[] = [
    b.label('top'),
    b.jeq64('r1', 0, 'out'), // slot 0 → out at slot 4: +3
    b.ldImm64('r2', 1n), // slots 1-2
    b.ja('top'), // slot 3 → 0: -4
    b.label('out'),
    b.exit(), // slot 4
  ];
  const d = decode(encode(prog));
  assert.deepEqual(
    d.filter((i) => i.kind === 'jump').map((i) => i.target),
    [3, -4],
  );
});

test('encoding errors name the instruction', () => {
  assert.throws(
    () => encode([b.ja('nowhere'), b.exit()]),
    (e) =>
      e instanceof ProbekitError &&
      e.code === 'E_BPF_ENCODE' &&
      /unknown label "nowhere"/.test(e.message),
  );
  assert.throws(() => encode([b.label('a'), b.label('a')]), /defined twice/);
  assert.throws(() => encode([b.ldx(4, 'r1', 'r2', 40000)]), /offset 40000 does not fit/);
  assert.throws(() => encode([b.mov64('r1', 2 ** 33)]), /does not fit in 32 bits/);
});

test('decoding errors say which slot and why', () => {
  assert.throws(() => decode(new Uint8Array(7)), /not a multiple of 8/);
  assert.throws(
    () => decode(Uint8Array.from([0xe7, 0, 0, 0, 0, 0, 0, 0])),
    (e) =>
      e instanceof ProbekitError &&
      e.code === 'E_BPF_DECODE' &&
      /slot 0 \(opcode 0xe7\)/.test(e.message),
  );
  assert.throws(
    () => decode(Uint8Array.from([0xb7, 0x0c, 0, 0, 0, 0, 0, 0])),
    /r12 does not exist/,
  );
  assert.throws(() => decode(Uint8Array.from([0x18, 0, 0, 0, 0, 0, 0, 0])), /second slot/);
  assert.throws(
    () => decode(Uint8Array.from([0xdb, 0x21, 0, 0, 0xe0, 0, 0, 0])),
    /atomic operation 0xe0/,
  );
});
