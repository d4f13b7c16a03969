/**
 * pt_regs byte offsets against the kernel's own facts, written out here from the
 * headers (not from the table code): struct pt_regs in arch/<arch>/include/asm/ptrace.h
 * (arm: uapi/asm/ptrace.h; arm64, s390, powerpc: its user_pt_regs prefix), and the
 * names regoffset_table[] gives them in arch/<arch>/kernel/ptrace.c.
 */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { ARCH_NAMES, ARCHES, getArch, ptRegsOffset, ptRegsWidth } from '../../src/arch/index.js';
import type { ArchName } from '../../src/arch/types.js';
import {
  ptRegsArg,
  ptRegsArgFor,
  ptRegsReg,
  X86_64_ARG_REGS,
  X86_64_PT_REGS,
} from '../../src/bpf/gen/context.js';
import { SpecError } from '../../src/errors.js';

/** Names in ptRegsOffsets beyond `registers`, and which register each aliases. */
const EXTRA_ALIASES: Partial<Record<ArchName, Record<string, string>>> = {
  arm64: { lr: 'x30' },
};

/** Names in `registers` that share an offset with another name in `registers`. */
function registerAliases(arch: ArchName): Record<string, string> {
  if (arch === 'powerpc64' || arch === 'powerpc64le') {
    return Object.fromEntries(Array.from({ length: 32 }, (_, i) => [`gpr${i}`, `r${i}`]));
  }
  return {};
}

const SIZE: Record<ArchName, number> = {
  x86_64: 168,
  i386: 68,
  arm64: 272,
  arm: 72,
  riscv64: 288,
  s390x: 152,
  powerpc64le: 352,
  powerpc64: 352,
  loongarch64: 320,
  mips64: 304,
};

/** [register, offset] spot checks from the kernel headers. */
const SPOT: Record<ArchName, [string, number][]> = {
  x86_64: [
    ['r15', 0],
    ['bp', 32],
    ['bx', 40],
    ['r9', 64],
    ['r8', 72],
    ['ax', 80],
    ['cx', 88],
    ['dx', 96],
    ['si', 104],
    ['di', 112],
    ['orig_ax', 120],
    ['ip', 128],
    ['flags', 144],
    ['sp', 152],
    ['ss', 160],
  ],
  i386: [
    ['bx', 0],
    ['cx', 4],
    ['dx', 8],
    ['ax', 24],
    ['ds', 28],
    ['gs', 40],
    ['orig_ax', 44],
    ['ip', 48],
    ['sp', 60],
    ['ss', 64],
  ],
  arm64: [
    ['x0', 0],
    ['x7', 56],
    ['x29', 232],
    ['x30', 240],
    ['lr', 240],
    ['sp', 248],
    ['pc', 256],
    ['pstate', 264],
  ],
  arm: [
    ['r0', 0],
    ['r3', 12],
    ['r10', 40],
    ['fp', 44],
    ['ip', 48],
    ['sp', 52],
    ['lr', 56],
    ['pc', 60],
    ['cpsr', 64],
    ['ORIG_r0', 68],
  ],
  riscv64: [
    ['epc', 0],
    ['ra', 8],
    ['sp', 16],
    ['s0', 64],
    ['a0', 80],
    ['a7', 136],
    ['s2', 144],
    ['t6', 248],
    ['status', 256],
    ['orig_a0', 280],
  ],
  s390x: [
    ['r0', 24],
    ['r2', 40],
    ['r6', 72],
    ['r14', 136],
    ['r15', 144],
  ],
  powerpc64le: [
    ['r0', 0],
    ['gpr0', 0],
    ['r1', 8],
    ['r3', 24],
    ['gpr3', 24],
    ['r10', 80],
    ['r31', 248],
    ['nip', 256],
    ['msr', 264],
    ['ctr', 280],
    ['link', 288],
    ['xer', 296],
    ['ccr', 304],
    ['softe', 312],
    ['trap', 320],
    ['dar', 328],
    ['dsisr', 336],
  ],
  powerpc64: [
    ['r3', 24],
    ['nip', 256],
    ['ctr', 280],
    ['link', 288],
    ['dsisr', 336],
  ],
  loongarch64: [
    ['r0', 0],
    ['r3', 24],
    ['r4', 32],
    ['r11', 88],
    ['r31', 248],
    ['orig_a0', 256],
    ['csr_era', 264],
    ['csr_badvaddr', 272],
    ['csr_estat', 312],
  ],
  mips64: [
    ['r0', 0],
    ['r2', 16],
    ['r4', 32],
    ['r29', 232],
    ['r31', 248],
    ['c0_status', 256],
    ['hi', 264],
    ['lo', 272],
    ['c0_badvaddr', 280],
    ['c0_cause', 288],
    ['c0_epc', 296],
  ],
};

describe('pt_regs offsets', () => {
  for (const name of ARCH_NAMES) {
    const arch = ARCHES[name];
    const width = name === 'i386' || name === 'arm' ? 4 : 8;

    describe(name, () => {
      test('every tracefs register has an offset', () => {
        const missing = arch.registers.filter((r) => ptRegsOffset(arch, r) === null);
        assert.deepEqual(missing, []);
      });

      test('no names beyond registers except documented aliases', () => {
        const extra = Object.keys(arch.ptRegsOffsets).filter((r) => !arch.registers.includes(r));
        assert.deepEqual(extra.sort(), Object.keys(EXTRA_ALIASES[name] ?? {}).sort());
      });

      test('offsets are distinct except documented aliases', () => {
        const aliases = { ...registerAliases(name), ...(EXTRA_ALIASES[name] ?? {}) };
        const seen = new Map<number, string>();
        for (const [reg, off] of Object.entries(arch.ptRegsOffsets)) {
          const target = aliases[reg];
          if (target !== undefined) {
            assert.equal(off, arch.ptRegsOffsets[target], `${reg} aliases ${target}`);
            continue;
          }
          const prev = seen.get(off);
          assert.equal(prev, undefined, `${reg} and ${prev} share offset ${off}`);
          seen.set(off, reg);
        }
      });

      test('offsets are slot-aligned and inside ptRegsSize', () => {
        assert.equal(ptRegsWidth(arch), width);
        assert.equal(arch.ptRegsSize, SIZE[name]);
        assert.equal(arch.ptRegsSize % width, 0);
        for (const [reg, off] of Object.entries(arch.ptRegsOffsets)) {
          assert.ok(Number.isInteger(off) && off >= 0, `${reg}: ${off}`);
          assert.equal(off % width, 0, `${reg} at ${off} is not a multiple of ${width}`);
          assert.ok(off + width <= arch.ptRegsSize, `${reg} at ${off} is past ${arch.ptRegsSize}`);
        }
      });

      test('spot checks against the kernel headers', () => {
        for (const [reg, off] of SPOT[name]) {
          assert.equal(ptRegsOffset(arch, reg), off, `${name} ${reg}`);
        }
      });

      test('argument and return registers have offsets', () => {
        const regs = [...arch.kernel.argRegs, ...arch.user.argRegs, arch.retReg, arch.spReg];
        if (arch.pcReg !== null) regs.push(arch.pcReg);
        if (arch.raReg !== null) regs.push(arch.raReg);
        for (const reg of regs) {
          assert.notEqual(ptRegsOffset(arch, reg), null, `${name} ${reg}`);
        }
      });

      test('ptRegsArgFor reads every register argument and the return value', () => {
        for (const side of ['kernel', 'user'] as const) {
          arch[side].argRegs.forEach((reg, i) => {
            assert.deepEqual(ptRegsArgFor(arch, i, side), {
              offset: arch.ptRegsOffsets[reg],
              size: width,
              signed: false,
              name: reg,
            });
          });
          assert.equal(ptRegsArgFor(arch, 'ret', side).name, arch.retReg);
          const past = arch[side].argRegs.length;
          assert.throws(
            () => ptRegsArgFor(arch, past, side),
            (e: unknown) =>
              e instanceof SpecError &&
              e.code === 'E_BPF_ARG' &&
              e.message.includes(name) &&
              e.message.includes(`argument ${past} is not passed in a register`),
          );
        }
      });
    });
  }

  test('ptRegsOffset refuses unknown names and prototype keys, accepts %', () => {
    const x = getArch('x86_64');
    assert.equal(ptRegsOffset(x, 'rdi'), null);
    assert.equal(ptRegsOffset(x, 'constructor'), null);
    assert.equal(ptRegsOffset(x, 'toString'), null);
    assert.equal(ptRegsOffset(x, '%di'), 112);
    assert.equal(ptRegsOffset(getArch('s390x'), 'r16'), null);
    assert.equal(ptRegsOffset(getArch('arm64'), 'x31'), null);
  });

  test('ptRegsArgFor: common conventions', () => {
    assert.deepEqual(ptRegsArgFor(getArch('arm64'), 0, 'kernel'), {
      offset: 0,
      size: 8,
      signed: false,
      name: 'x0',
    });
    assert.equal(ptRegsArgFor(getArch('s390x'), 0, 'kernel').offset, 40);
    assert.equal(ptRegsArgFor(getArch('s390x'), 'ret', 'kernel').offset, 40);
    assert.equal(ptRegsArgFor(getArch('riscv64'), 1, 'user').offset, 88);
    assert.equal(ptRegsArgFor(getArch('powerpc64le'), 0, 'kernel').offset, 24);
    assert.equal(ptRegsArgFor(getArch('mips64'), 'ret', 'user').offset, 16);
    assert.deepEqual(ptRegsArgFor(getArch('i386'), 2, 'kernel'), {
      offset: 4,
      size: 4,
      signed: false,
      name: 'cx',
    });
    assert.throws(
      () => ptRegsArgFor(getArch('i386'), 0, 'user'),
      /argument 0 is not passed in a register on i386 \(the user convention passes no arguments in registers\)/,
    );
    assert.throws(() => ptRegsArgFor(getArch('x86_64'), -1, 'kernel'), /E_BPF_ARG|argument -1/);
    assert.throws(() => ptRegsArgFor(getArch('x86_64'), 1.5, 'kernel'), /argument 1.5/);
  });
});

describe('bpf/gen/context keeps its x86_64 exports, now from the arch table', () => {
  test('X86_64_PT_REGS is the arch table', () => {
    assert.equal(X86_64_PT_REGS, ARCHES.x86_64.ptRegsOffsets);
    assert.deepEqual([...X86_64_ARG_REGS], ['di', 'si', 'dx', 'cx', 'r8', 'r9']);
  });

  test('ptRegsReg and ptRegsArg agree with ptRegsArgFor', () => {
    assert.deepEqual(ptRegsReg('di'), { offset: 112, size: 8, signed: false, name: 'di' });
    for (let i = 0; i < 6; i++) {
      assert.deepEqual(ptRegsArg(i), ptRegsArgFor(ARCHES.x86_64, i, 'kernel'));
    }
    assert.deepEqual(ptRegsArg('ret'), ptRegsReg('ax'));
    assert.throws(() => ptRegsArg(6), /argument 6 is not passed in a register on x86_64/);
  });
});
