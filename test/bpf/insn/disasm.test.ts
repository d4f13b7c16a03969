import assert from 'node:assert/strict';
import { test } from 'node:test';
import * as b from '../../../src/bpf/insn/builder.js';
import { decode } from '../../../src/bpf/insn/decode.js';
import { disasm, disasmInsn, insnAtSlot } from '../../../src/bpf/insn/disasm.js';
import { encode } from '../../../src/bpf/insn/encode.js';

test('bpftool-like text for each kind of instruction', () => {
  const cases: [ReturnType<typeof b.exit>, string][] = [
    [b.ldx(4, 'r1', 'r2', 8), 'r1 = *(u32 *)(r2 + 8)'],
    [b.ldxs(2, 'r1', 'r10', -6), 'r1 = *(s16 *)(r10 - 6)'],
    [b.jmp64('jgt', 'r1', 0x10, 3), 'if r1 > 0x10 goto +3'],
    [b.jmp32('jsle', 'r1', 'r2', -2), 'if w1 s<= w2 goto -2'],
    [b.jeq64('r0', 0, 'out'), 'if r0 == 0x0 goto <out>'],
    [b.mov64('r0', 0), 'r0 = 0'],
    [b.mov32('r1', -1), 'w1 = -1'],
    [b.add64('r2', -16), 'r2 += -16'],
    [b.alu64('arsh', 'r1', 'r3'), 'r1 s>>= r3'],
    [b.sdiv64('r1', 'r2'), 'r1 s/= r2'],
    [b.movsx64('r1', 'r2', 16), 'r1 = (s16)r2'],
    [b.neg64('r4'), 'r4 = -r4'],
    [b.toBe('r1', 16), 'r1 = be16 r1'],
    [b.bswap('r1', 32), 'r1 = bswap32 r1'],
    [b.st(8, 'r10', -8, 'r1'), '*(u64 *)(r10 - 8) = r1'],
    [b.st(4, 'r10', -4, 0), '*(u32 *)(r10 - 4) = 0'],
    [b.atomic('add', 8, 'r0', 0, 'r1'), 'lock *(u64 *)(r0 + 0) += r1'],
    [b.atomic('add', 8, 'r0', 8, 'r1', true), 'r1 = atomic64_fetch_add((u64 *)(r0 + 8), r1)'],
    [b.atomic('xchg', 4, 'r0', 0, 'r1'), 'w1 = atomic_xchg((u32 *)(r0 + 0), w1)'],
    [b.atomic('cmpxchg', 8, 'r2', 0, 'r3'), 'r0 = atomic64_cmpxchg((u64 *)(r2 + 0), r0, r3)'],
    [b.call('map_lookup_elem'), 'call bpf_map_lookup_elem#1'],
    [b.call(9999), 'call helper#9999'],
    [b.exit(), 'exit'],
    [b.ja(-1), 'goto -1'],
    [b.ldMapFd('r1', 5), 'r1 = map[fd:5]'],
    [b.ldMapValue('r1', 5, 8), 'r1 = map[fd:5][0]+8'],
    [b.ldImm64('r3', 0xdeadbeefcafen), 'r3 = 0xdeadbeefcafe ll'],
  ];
  for (const [insn, text] of cases) assert.equal(disasmInsn(insn), text);
});

test('a program listing numbers slots like the verifier and shows labels', () => {
  const prog = [b.ldMapFd('r1', 3), b.jeq64('r1', 0, 'out'), b.label('out'), b.exit()];
  assert.equal(
    disasm(prog),
    ['   0: r1 = map[fd:3]', '   2: if r1 == 0x0 goto <out>', 'out:', '   3: exit'].join('\n'),
  );
  assert.equal(disasm(decode(encode(prog))).split('\n')[1], '   2: if r1 == 0x0 goto +0');
  assert.deepEqual(insnAtSlot(prog, 3), b.exit());
  assert.equal(insnAtSlot(prog, 1), undefined);
});
