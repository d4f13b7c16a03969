import assert from 'node:assert/strict';
import { test } from 'node:test';
import { ARCHES, checkRegister, getArch, hostArch, resolveArch } from '../../src/arch/index.js';
import { UsageError } from '../../src/errors.js';

test('resolveArch knows uname -m, Debian and Node names', () => {
  const cases: [string, string][] = [
    ['x86_64', 'x86_64'],
    ['amd64', 'x86_64'],
    ['x64', 'x86_64'],
    ['i686', 'i386'],
    ['i386', 'i386'],
    ['ia32', 'i386'],
    ['aarch64', 'arm64'],
    ['arm64', 'arm64'],
    ['armv7l', 'arm'],
    ['arm', 'arm'],
    ['riscv64', 'riscv64'],
    ['s390x', 's390x'],
    ['ppc64le', 'powerpc64le'],
    ['ppc64', 'powerpc64'],
    ['powerpc64', 'powerpc64'],
    ['loongarch64', 'loongarch64'],
    ['loong64', 'loongarch64'],
    ['mips64', 'mips64'],
    ['mips64el', 'mips64'],
    ['AArch64', 'arm64'],
  ];
  for (const [alias, name] of cases) assert.equal(resolveArch(alias).name, name, alias);
});

test('an unknown architecture is a UsageError listing the known ones', () => {
  assert.throws(
    () => resolveArch('sparc64'),
    (e: unknown) => {
      assert.ok(e instanceof UsageError);
      assert.equal(e.code, 'E_UNKNOWN_ARCH');
      assert.equal(e.message, "unknown architecture 'sparc64'");
      assert.equal(e.exitCode, 2);
      for (const n of Object.keys(ARCHES)) assert.ok(e.hint?.includes(n), n);
      return true;
    },
  );
});

test('hostArch is this machine', () => {
  const expected: Record<string, string> = {
    x64: 'x86_64',
    arm64: 'arm64',
    ia32: 'i386',
    s390x: 's390x',
    riscv64: 'riscv64',
  };
  const want = expected[process.arch];
  if (want === undefined) return;
  assert.equal(hostArch().name, want);
});

test('getArch returns the table', () => {
  assert.equal(getArch('arm64').name, 'arm64');
});

test('assembler spellings get the tracefs name in the hint', () => {
  const cases: [string, string, string][] = [
    ['x86_64', 'rdi', 'tracefs spells x86_64 registers without the r: write %di'],
    ['x86_64', 'edi', 'tracefs spells x86_64 registers without the r: write %di'],
    ['x86_64', 'r9d', 'tracefs spells x86_64 registers without the r: write %r9'],
    ['x86_64', 'orig_rax', 'tracefs spells x86_64 registers without the r: write %orig_ax'],
    [
      'i386',
      'eax',
      'tracefs spells i386 registers by their pt_regs names, without the e: write %ax',
    ],
    ['arm64', 'w1', 'tracefs spells arm64 registers x0..x30, sp, pc and pstate: write %x1'],
    ['arm64', 'lr', 'tracefs spells arm64 registers x0..x30, sp, pc and pstate: write %x30'],
    [
      'arm',
      'r12',
      'tracefs spells arm registers r0..r10, fp, ip, sp, lr, pc, cpsr and ORIG_r0: write %ip',
    ],
    [
      'riscv64',
      'x10',
      'tracefs spells riscv64 registers by their ABI names (a0..a7, s0..s11, t0..t6, ra, sp, epc): write %a0',
    ],
    [
      'loongarch64',
      'a0',
      'tracefs spells loongarch64 registers r0..r31, not by ABI name: write %r4',
    ],
    [
      'loongarch64',
      'sp',
      'tracefs spells loongarch64 registers r0..r31, not by ABI name: write %r3',
    ],
    ['mips64', 'a1', 'tracefs spells mips64 registers r0..r31, not by ABI name: write %r5'],
    ['s390x', 'sp', 'tracefs accepts only r0..r15 on s390x: write %r15'],
    [
      'powerpc64le',
      'lr',
      'tracefs spells powerpc64le registers r0..r31 (or gpr0..gpr31), nip, msr, ctr, link, xer, ccr, softe, trap, dar, dsisr: write %link',
    ],
  ];
  for (const [arch, reg, hint] of cases) {
    const c = checkRegister(resolveArch(arch), reg);
    assert.equal(c.ok, false, `${arch} ${reg}`);
    assert.equal(c.ok ? '' : c.hint, hint);
  }
});

test('accepted names pass; unknown names list the argument registers', () => {
  assert.deepEqual(checkRegister(getArch('powerpc64le'), 'gpr3'), { ok: true, reg: 'gpr3' });
  assert.deepEqual(checkRegister(getArch('arm'), 'ORIG_r0'), { ok: true, reg: 'ORIG_r0' });
  const c = checkRegister(getArch('s390x'), 'r16');
  assert.equal(c.ok, false);
  assert.equal(
    c.ok ? '' : c.hint,
    'tracefs accepts only r0..r15 on s390x; the kernel passes integer arguments in %r2 %r3 %r4 %r5 %r6',
  );
});
