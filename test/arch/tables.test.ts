/**
 * Every architecture's table against the kernel's own facts, written out here
 * from the sources (not from the table code): regoffset_table[] in
 * arch/<arch>/kernel/ptrace.c (powerpc: ptrace/ptrace-view.c; s390 parses r<N>),
 * regs_get_kernel_argument() in arch/<arch>/include/asm/ptrace.h, and the ELF ABIs.
 */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { ARCH_NAMES, ARCHES, argLocation, describeRegister } from '../../src/arch/index.js';
import type { ArchName } from '../../src/arch/types.js';

const r = (p: string, a: number, b: number) =>
  Array.from({ length: b - a + 1 }, (_, i) => `${p}${a + i}`);

interface Expected {
  registers: string[];
  kernelArgs: string[];
  userArgs: string[];
  ret: string;
  sp: string;
  pc: string | null;
  ra: string | null;
  hasArgN: boolean;
  bits: 32 | 64;
  endian: 'little' | 'big';
  /** [argument number, side, expected fetch] for the first stack arguments; null fetch = refused. */
  stack: [number, 'kernel' | 'user', string | null][];
  /** [tracefs name, pt_regs member, assembler name] */
  explain: [string, string, string][];
}

const EXPECTED: Record<ArchName, Expected> = {
  x86_64: {
    registers: [
      'r15',
      'r14',
      'r13',
      'r12',
      'r11',
      'r10',
      'r9',
      'r8',
      'bx',
      'cx',
      'dx',
      'si',
      'di',
      'bp',
      'ax',
      'orig_ax',
      'ip',
      'cs',
      'flags',
      'sp',
      'ss',
    ],
    kernelArgs: ['di', 'si', 'dx', 'cx', 'r8', 'r9'],
    userArgs: ['di', 'si', 'dx', 'cx', 'r8', 'r9'],
    ret: 'ax',
    sp: 'sp',
    pc: 'ip',
    ra: null,
    hasArgN: true,
    bits: 64,
    endian: 'little',
    // $stack0 is the return address at entry.
    stack: [
      [7, 'kernel', '$stack1'],
      [8, 'kernel', '$stack2'],
      [7, 'user', '$stack1'],
    ],
    explain: [
      ['si', 'regs->si', 'rsi'],
      ['r8', 'regs->r8', 'r8'],
      ['ax', 'regs->ax', 'rax'],
    ],
  },
  i386: {
    registers: [
      'bx',
      'cx',
      'dx',
      'si',
      'di',
      'bp',
      'ax',
      'ds',
      'es',
      'fs',
      'gs',
      'orig_ax',
      'ip',
      'cs',
      'flags',
      'sp',
      'ss',
    ],
    kernelArgs: ['ax', 'dx', 'cx'],
    userArgs: [],
    ret: 'ax',
    sp: 'sp',
    pc: 'ip',
    ra: null,
    hasArgN: true,
    bits: 32,
    endian: 'little',
    stack: [
      [4, 'kernel', '$stack1'],
      [5, 'kernel', '$stack2'],
      [1, 'user', '$stack1'],
      [3, 'user', '$stack3'],
    ],
    explain: [
      ['ax', 'regs->ax', 'eax'],
      ['dx', 'regs->dx', 'edx'],
    ],
  },
  arm64: {
    registers: [...r('x', 0, 30), 'sp', 'pc', 'pstate'],
    kernelArgs: r('x', 0, 7),
    userArgs: r('x', 0, 7),
    ret: 'x0',
    sp: 'sp',
    pc: 'pc',
    ra: 'x30',
    hasArgN: true,
    bits: 64,
    endian: 'little',
    stack: [
      [9, 'kernel', '$stack0'],
      [10, 'user', '$stack1'],
    ],
    explain: [
      ['x1', 'regs->regs[1]', 'x1'],
      ['sp', 'regs->sp', 'sp'],
    ],
  },
  arm: {
    registers: [...r('r', 0, 10), 'fp', 'ip', 'sp', 'lr', 'pc', 'cpsr', 'ORIG_r0'],
    kernelArgs: r('r', 0, 3),
    userArgs: r('r', 0, 3),
    ret: 'r0',
    sp: 'sp',
    pc: 'pc',
    ra: 'lr',
    hasArgN: false,
    bits: 32,
    endian: 'little',
    stack: [
      [5, 'kernel', '$stack0'],
      [6, 'user', '$stack1'],
    ],
    explain: [
      ['r1', 'regs->uregs[1]', 'r1'],
      ['lr', 'regs->uregs[14]', 'lr'],
    ],
  },
  riscv64: {
    registers: [
      'epc',
      'ra',
      'sp',
      'gp',
      'tp',
      't0',
      't1',
      't2',
      's0',
      's1',
      ...r('a', 0, 7),
      ...r('s', 2, 11),
      ...r('t', 3, 6),
      'status',
      'badaddr',
      'cause',
      'orig_a0',
    ],
    kernelArgs: r('a', 0, 7),
    userArgs: r('a', 0, 7),
    ret: 'a0',
    sp: 'sp',
    pc: 'epc',
    ra: 'ra',
    hasArgN: true,
    bits: 64,
    endian: 'little',
    stack: [
      [9, 'kernel', '$stack0'],
      [9, 'user', '$stack0'],
    ],
    explain: [['a1', 'regs->a1', 'a1']],
  },
  s390x: {
    registers: r('r', 0, 15),
    kernelArgs: r('r', 2, 6),
    userArgs: r('r', 2, 6),
    ret: 'r2',
    sp: 'r15',
    pc: null,
    ra: 'r14',
    hasArgN: true,
    bits: 64,
    endian: 'big',
    // 160-byte register save area, then the overflow arguments (regs_get_kernel_argument: stack nth 20 + n - 5).
    stack: [
      [6, 'kernel', '+160(%r15)'],
      [7, 'kernel', '+168(%r15)'],
      [6, 'user', '+160(%r15)'],
    ],
    explain: [['r3', 'regs->gprs[3]', 'r3']],
  },
  powerpc64le: {
    registers: [
      ...r('r', 0, 31).flatMap((x, i) => [x, `gpr${i}`]),
      'nip',
      'msr',
      'ctr',
      'link',
      'xer',
      'ccr',
      'softe',
      'trap',
      'dar',
      'dsisr',
    ],
    kernelArgs: r('r', 3, 10),
    userArgs: r('r', 3, 10),
    ret: 'r3',
    sp: 'r1',
    pc: 'nip',
    ra: 'link',
    hasArgN: true,
    bits: 64,
    endian: 'little',
    stack: [
      [9, 'kernel', null],
      [9, 'user', null],
    ],
    explain: [
      ['r4', 'regs->gpr[4]', 'r4'],
      ['gpr4', 'regs->gpr[4]', 'r4'],
    ],
  },
  powerpc64: {
    registers: [
      ...r('r', 0, 31).flatMap((x, i) => [x, `gpr${i}`]),
      'nip',
      'msr',
      'ctr',
      'link',
      'xer',
      'ccr',
      'softe',
      'trap',
      'dar',
      'dsisr',
    ],
    kernelArgs: r('r', 3, 10),
    userArgs: r('r', 3, 10),
    ret: 'r3',
    sp: 'r1',
    pc: 'nip',
    ra: 'link',
    hasArgN: true,
    bits: 64,
    endian: 'big',
    stack: [
      [9, 'kernel', null],
      [9, 'user', null],
    ],
    explain: [['r3', 'regs->gpr[3]', 'r3']],
  },
  loongarch64: {
    registers: [
      ...r('r', 0, 31),
      'orig_a0',
      'csr_era',
      'csr_badvaddr',
      'csr_crmd',
      'csr_prmd',
      'csr_euen',
      'csr_ecfg',
      'csr_estat',
    ],
    kernelArgs: r('r', 4, 11),
    userArgs: r('r', 4, 11),
    ret: 'r4',
    sp: 'r3',
    pc: 'csr_era',
    ra: 'r1',
    hasArgN: true,
    bits: 64,
    endian: 'little',
    stack: [
      [9, 'kernel', '$stack0'],
      [10, 'user', '$stack1'],
    ],
    explain: [
      ['r5', 'regs->regs[5]', 'a1'],
      ['r3', 'regs->regs[3]', 'sp'],
    ],
  },
  mips64: {
    registers: [...r('r', 0, 31), 'c0_status', 'hi', 'lo', 'c0_badvaddr', 'c0_cause', 'c0_epc'],
    kernelArgs: r('r', 4, 11),
    userArgs: r('r', 4, 11),
    ret: 'r2',
    sp: 'r29',
    pc: 'c0_epc',
    ra: 'r31',
    hasArgN: false,
    bits: 64,
    endian: 'little',
    stack: [
      [9, 'kernel', '$stack0'],
      [9, 'user', '$stack0'],
    ],
    explain: [
      ['r5', 'regs->regs[5]', 'a1'],
      ['c0_epc', 'regs->cp0_epc', 'c0_epc'],
    ],
  },
};

test('the table covers exactly the ten architectures', () => {
  assert.deepEqual([...ARCH_NAMES].sort(), Object.keys(EXPECTED).sort());
});

for (const name of ARCH_NAMES) {
  const e = EXPECTED[name];
  const a = ARCHES[name];
  describe(name, () => {
    test('registers tracefs accepts, exactly', () => {
      assert.deepEqual([...a.registers].sort(), [...e.registers].sort());
      assert.equal(new Set(a.registers).size, a.registers.length, 'no duplicates');
    });
    test('argument registers, kernel and user ABI', () => {
      assert.deepEqual([...a.kernel.argRegs], e.kernelArgs);
      assert.deepEqual([...a.user.argRegs], e.userArgs);
      for (const reg of [...a.kernel.argRegs, ...a.user.argRegs])
        assert.ok(a.registers.includes(reg), reg);
    });
    test('return, stack, pc and return-address registers', () => {
      assert.equal(a.retReg, e.ret);
      assert.equal(a.spReg, e.sp);
      assert.equal(a.pcReg, e.pc);
      assert.equal(a.raReg, e.ra);
      for (const reg of [a.retReg, a.spReg, a.pcReg, a.raReg])
        if (reg !== null) assert.ok(a.registers.includes(reg), reg);
      assert.equal(a.hasArgN, e.hasArgN);
      assert.equal(a.bits, e.bits);
      assert.equal(a.endian, e.endian);
      assert.equal(a.defaultType, e.bits === 64 ? 'x64' : 'x32');
    });
    test('arguments beyond the registers', () => {
      for (const [n, side, fetch] of e.stack) {
        const loc = argLocation(a, side, n);
        if (fetch === null) {
          assert.equal(loc.kind, 'none', `${side} arg ${n}`);
          assert.match(loc.kind === 'none' ? loc.reason : '', /parameter save area/);
        } else {
          assert.equal(loc.kind, 'stack', `${side} arg ${n}`);
          assert.equal(loc.kind === 'stack' ? loc.fetch : '', fetch);
        }
      }
    });
    test('explain names: pt_regs member and assembler name', () => {
      for (const [reg, ptRegs, asm] of e.explain) {
        assert.deepEqual(describeRegister(a, reg), { register: `%${reg}`, ptRegs, asm });
      }
    });
    test('every assembler alias maps to a register tracefs accepts and is not one itself', () => {
      for (const [alias, target] of Object.entries(a.asmAliases)) {
        assert.ok(a.registers.includes(target), `${alias} → ${target}`);
        assert.ok(!a.registers.includes(alias), `${alias} is itself accepted`);
      }
    });
  });
}
