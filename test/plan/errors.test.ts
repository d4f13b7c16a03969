/** Planner errors: exact messages, codes and caret columns. */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { ArchName } from '../../src/arch/types.js';
import { SpecError, UnsupportedError, UsageError } from '../../src/errors.js';
import { FULL_FEATURES, plan, validateGroupName } from '../../src/plan/index.js';
import type { PlanOptions } from '../../src/plan/types.js';
import type { ProbeSpec } from '../../src/spec/types.js';
import { planTexts } from './helpers.js';

interface Want {
  code: string;
  message: string;
  column?: number;
  length?: number;
  hint?: string | RegExp;
}

function throwsLike(
  fn: () => unknown,
  want: Want,
  cls: new (...a: never[]) => Error = SpecError,
): void {
  assert.throws(fn, (e: unknown) => {
    assert.ok(e instanceof cls, `expected ${cls.name}, got ${String(e)}`);
    const err = e as SpecError;
    assert.equal(err.code, want.code);
    assert.equal(err.message, want.message);
    if (want.column !== undefined) assert.equal(err.column, want.column, 'column');
    if (want.length !== undefined) assert.equal(err.length, want.length, 'length');
    if (typeof want.hint === 'string') assert.equal(err.hint, want.hint);
    else if (want.hint) assert.match(err.hint ?? '', want.hint);
    return true;
  });
}

const BAD_REGISTERS: [ArchName, string, string][] = [
  ['x86_64', 'rdi', 'tracefs spells x86_64 registers without the r: write %di'],
  ['i386', 'eax', 'tracefs spells i386 registers by their pt_regs names, without the e: write %ax'],
  ['arm64', 'w0', 'tracefs spells arm64 registers x0..x30, sp, pc and pstate: write %x0'],
  [
    'arm',
    'a1',
    'tracefs spells arm registers r0..r10, fp, ip, sp, lr, pc, cpsr and ORIG_r0: write %r0',
  ],
  [
    'riscv64',
    'x10',
    'tracefs spells riscv64 registers by their ABI names (a0..a7, s0..s11, t0..t6, ra, sp, epc): write %a0',
  ],
  ['s390x', 'sp', 'tracefs accepts only r0..r15 on s390x: write %r15'],
  [
    'powerpc64le',
    'sp',
    'tracefs spells powerpc64le registers r0..r31 (or gpr0..gpr31), nip, msr, ctr, link, xer, ccr, softe, trap, dar, dsisr: write %r1',
  ],
  [
    'powerpc64',
    'lr',
    'tracefs spells powerpc64 registers r0..r31 (or gpr0..gpr31), nip, msr, ctr, link, xer, ccr, softe, trap, dar, dsisr: write %link',
  ],
  ['loongarch64', 'a0', 'tracefs spells loongarch64 registers r0..r31, not by ABI name: write %r4'],
  ['mips64', 'a0', 'tracefs spells mips64 registers r0..r31, not by ABI name: write %r4'],
];

for (const [arch, reg, hint] of BAD_REGISTERS) {
  test(`bad register on ${arch}: %${reg}`, () => {
    throwsLike(() => planTexts([`k:do_sys_open(x=%${reg})`], arch), {
      code: 'E_PLAN_REGISTER',
      message: `${arch} has no register '%${reg}' in tracefs`,
      column: 16,
      length: reg.length + 1,
      hint,
    });
  });
}

test('a register no arch spells gets the argument registers in the hint', () => {
  throwsLike(() => planTexts(['k:f(x=%foo)'], 'arm64'), {
    code: 'E_PLAN_REGISTER',
    message: "arm64 has no register '%foo' in tracefs",
    column: 6,
    hint: 'tracefs spells arm64 registers x0..x30, sp, pc and pstate; the kernel passes integer arguments in %x0 %x1 %x2 %x3 %x4 %x5 %x6 %x7',
  });
});

test('retval on an entry probe, if the parser lets it through', () => {
  const text = 'k:f(r=retval)';
  const spec: ProbeSpec = {
    kind: 'kprobe',
    text,
    target: {
      kind: 'kernel',
      module: null,
      symbol: 'f',
      address: null,
      offset: 0n,
      span: { start: 2, end: 3 },
    },
    args: [
      {
        name: 'r',
        explicitName: true,
        expr: { kind: 'retval', span: { start: 6, end: 12 } },
        type: null,
        span: { start: 4, end: 12 },
      },
    ],
    allArgs: false,
    filter: null,
    filterText: null,
    maxactive: null,
    group: null,
    event: null,
    syntax: 'probekit',
  };
  throwsLike(() => plan([spec], { arch: 'x86_64', features: FULL_FEATURES, group: 'g' }), {
    code: 'E_PLAN_RETVAL',
    message: 'retval exists only in return probes',
    column: 6,
    length: 6,
    hint: 'use kr:f(...) or ur:... to read the return value',
  });
});

test('more than 128 arguments (a prototype with 130 parameters, all taken)', () => {
  const prototype = () => ({
    name: 'f',
    returnType: 'int',
    params: Array.from({ length: 130 }, (_, i) => ({
      name: `p${i}`,
      type: 'int',
      isString: false,
      isUserPtr: false,
      size: 4,
      signed: true,
      isPointer: false,
    })),
  });
  throwsLike(() => planTexts(['k:f(args)'], 'x86_64', { prototype }), {
    code: 'E_PLAN_TOO_MANY_ARGS',
    message: '130 arguments; tracefs takes at most 128 per probe',
    column: 2,
    hint: 'split them over two probes on the same function',
  });
  // The parser refuses a list this long before the planner sees it.
  const names = Array.from({ length: 129 }, (_, i) => `a${i}=%di`).join(', ');
  assert.throws(() => planTexts([`k:f(${names})`], 'x86_64'), { name: 'SpecError' });
});

test('an argument body over 63 characters', () => {
  const deep = '+123456789(+123456789(+123456789(+123456789(+123456789(%di)))))';
  const text = `k:f(p=${deep}:u64)`;
  const body = `${deep}:u64`;
  assert.ok(body.length > 63);
  throwsLike(() => planTexts([text], 'x86_64'), {
    code: 'E_PLAN_ARG_TOO_LONG',
    message: `this argument becomes '${body}', ${body.length} characters; tracefs takes at most 63 after NAME=`,
    column: 6,
    length: deep.length,
    hint: 'shorten the expression: fewer nested dereferences, or a shorter type',
  });
});

test('a filter on a field the probe does not record lists the fields', () => {
  throwsLike(() => planTexts(['k:vfs_read(file, count) if size > 10'], 'x86_64'), {
    code: 'E_PLAN_FILTER_FIELD',
    message: "the filter uses 'size', which this probe does not record",
    column: 27,
    length: 4,
    hint: 'fields here: file, count, comm, pid, cpu',
  });
});

test('tracepoint fields from the format file are checked', () => {
  const tracepointFields = () => ['dfd', 'filename', 'flags', 'mode'];
  assert.equal(
    planTexts(['t:syscalls:sys_enter_openat if dfd == -100'], 'x86_64', { tracepointFields })
      .probes[0]?.filter,
    'dfd == -100',
  );
  throwsLike(
    () => planTexts(['t:syscalls:sys_enter_openat if fd == 3'], 'x86_64', { tracepointFields }),
    {
      code: 'E_PLAN_FILTER_FIELD',
      message: "the filter uses 'fd', which this probe does not record",
      column: 31,
      hint: 'fields here: dfd, filename, flags, mode, comm, pid, cpu',
    },
  );
});

test('a string operation on a number field', () => {
  throwsLike(() => planTexts(['k:vfs_read(count) if count ~ "a*"'], 'x86_64'), {
    code: 'E_PLAN_FILTER_TYPE',
    message: "'count' is a number; the glob match ~ works only on strings",
    column: 21,
    hint: 'numbers take == != < <= > >= &; give the argument a :string type to match text',
  });
});

test('a member path without BTF', () => {
  throwsLike(() => planTexts(['k:vfs_read(file->f_mode)'], 'x86_64'), {
    code: 'E_PLAN_NEEDS_BTF',
    message: 'the member path ->f_mode needs BTF to find its offset',
    column: 11,
    hint: 'no BTF prototype is known for vfs_read; write the offset yourself, e.g. +16(%reg)',
  });
});

test('an entry argument in a return probe without $argN at return', () => {
  const features = { ...FULL_FEATURES, argNAtReturn: false };
  throwsLike(() => planTexts(['kr:do_sys_open(dfd)'], 'x86_64', { features }), {
    code: 'E_PLAN_ARG_AT_RETURN',
    message: 'dfd is an argument of do_sys_open, but a return probe sees only the return value',
    column: 15,
    hint: 'this kernel cannot read entry arguments in a return probe ($argN at return needs 6.10); probe the entry as well (k:do_sys_open(...)) and read the return with retval',
  });
  assert.equal(planTexts(['kr:do_sys_open(dfd)'], 'x86_64').probes[0]?.args[0]?.fetch, '$arg1');
});

test('ustring without the feature names the feature', () => {
  const features = { ...FULL_FEATURES, ustring: false };
  throwsLike(
    () => planTexts(['k:do_sys_open(dfd, fn:ustring)'], 'x86_64', { features }),
    {
      code: 'E_UNSUPPORTED',
      message: 'this kernel has no ustring type to read a user-space string from a kprobe',
      column: 22,
      hint: 'ustring needs Linux 5.2 or later; a uprobe reads user strings with :string',
    },
    UnsupportedError,
  );
});

test('a name that matches no parameter of the prototype lists the real ones', () => {
  const prototype = () => ({
    name: 'vfs_read',
    returnType: 'ssize_t',
    params: ['file', 'buf', 'count', 'pos'].map((name) => ({
      name,
      type: 'x',
      isString: false,
      isUserPtr: false,
      size: 8,
      signed: false,
      isPointer: true,
    })),
  });
  throwsLike(() => planTexts(['k:vfs_read(count, len)'], 'x86_64', { prototype }), {
    code: 'E_PLAN_UNKNOWN_PARAM',
    message: "vfs_read has no parameter 'len'",
    column: 18,
    hint: 'its parameters are: file, buf, count, pos',
  });
});

test('argument 9 on powerpc is refused with the reason', () => {
  throwsLike(() => planTexts(['k:f(a, b, c, d, e, f, g, h, i)'], 'powerpc64le'), {
    code: 'E_PLAN_STACK_ARG',
    message: 'i is argument 9 of f, which powerpc64le does not pass in a register',
    column: 28,
    hint: /^powerpc64 passes arguments 9 and on in the caller's parameter save area, at 32\(r1\) under ELFv2 or 48\(r1\) under ELFv1/,
  });
});

test('a user symbol without an ELF lookup', () => {
  throwsLike(() => planTexts(['u:/bin/bash:readline'], 'x86_64'), {
    code: 'E_PLAN_NEEDS_ELF',
    message: 'the uprobe on readline needs an ELF lookup to find its file offset in /bin/bash',
    column: 2,
    hint: 'plan with a resolveUser option (the ELF reader), or give the file offset: u:/abs/path:0xOFFSET',
  });
});

test('an unknown architecture', () => {
  throwsLike(
    () => planTexts(['k:f'], 'sparc' as ArchName),
    {
      code: 'E_UNKNOWN_ARCH',
      message: "unknown architecture 'sparc'",
      hint: /^known architectures: x86_64, i386, arm64/,
    },
    UsageError,
  );
});

test('group names: C identifiers of at most 63 characters', () => {
  assert.equal(validateGroupName('probekit_123_ab12'), 'probekit_123_ab12');
  throwsLike(
    () => validateGroupName('9grp'),
    { code: 'E_PLAN_GROUP', message: "the group name '9grp' is not a C identifier", column: 0 },
    UsageError,
  );
  throwsLike(
    () => validateGroupName('my-grp'),
    { code: 'E_PLAN_GROUP', message: "the group name 'my-grp' is not a C identifier", column: 2 },
    UsageError,
  );
  throwsLike(
    () => validateGroupName('g'.repeat(64)),
    {
      code: 'E_PLAN_GROUP',
      message: 'the group name is 64 characters long; tracefs allows 63',
      column: 63,
    },
    UsageError,
  );
  const opts: PlanOptions = { arch: 'x86_64', features: FULL_FEATURES, group: 'bad group' };
  throwsLike(
    () => plan([], opts),
    {
      code: 'E_PLAN_GROUP',
      message: "the group name 'bad group' is not a C identifier",
      column: 3,
    },
    UsageError,
  );
});

test('event names stay unique, within 63 characters', () => {
  const long = `k:${'a'.repeat(80)}`;
  const p = planTexts([long, long, 'p:p_f_2 f', 'k:f'], 'x86_64');
  const names = p.probes.map((x) => x.event);
  assert.equal(names[0], `p_${'a'.repeat(59)}_0`);
  assert.equal(names[0]?.length, 63);
  assert.equal(names[1], `p_${'a'.repeat(59)}_1`);
  assert.equal(names[2], 'p_f_2');
  assert.equal(names[3], 'p_f_3');
  const clash = planTexts(['k:f', 'p:p_f_1 f', 'k:f'], 'x86_64').probes.map((x) => x.event);
  assert.deepEqual(clash, ['p_f_0', 'p_f_1', 'p_f_2']);
  const taken = planTexts(['k:f', 'k:g', 'p:p_f_2 f2', 'k:f'], 'x86_64').probes.map((x) => x.event);
  assert.deepEqual(taken, ['p_f_0', 'p_g_1', 'p_f_2', 'p_f_3']);
});

test('on every architecture a spec is either planned or refused with a ProbekitError, never a crash', async () => {
  const { ARCH_NAMES } = await import('../../src/arch/index.js');
  const { isProbekitError } = await import('../../src/errors.js');
  const { parseProbe } = await import('../../src/spec/index.js');
  const texts = [
    'k:vfs_read',
    'k:vfs_read()',
    'k:vfs_read(a, b, c, d, e, f, g, h, i, j, k:string)',
    'kr:vfs_read(retval:string)',
    'kr:vfs_read(a)',
    'k:vfs_read+16(x=%sp)',
    'k:ext4:ext4_file_open(x=+0(+8(%r1)):u8[4])',
    'k:vfs_read(u=+u0(%x0):ustring)',
    'k:vfs_read(s=$stack, n=$stack9, c=comm) if c ~ "a*" || !(n > 3)',
    'k:vfs_read(b=+0(%di):b3@4/32, q=@jiffies-8:s64)',
    'u:/bin/true:0x10(a, b:string) if a == 1 && b != "x"',
    'ur:/bin/true:0x10(retval:s32) if retval < 0',
    'u:libc:malloc(size)',
    'u:/bin/true:main(argc:s32, argv)',
    't:sched:sched_switch(prev_comm, next_pid) if next_pid == 0',
    't:syscalls:sys_enter_openat if pid == 1',
    'p:g/e vfs_read %di %x0 %r4 %a0 %gpr3 %ORIG_r0 %csr_era %c0_epc',
    'r:g/r vfs_read $retval $arg1',
    'p:g/u /bin/true:0x10 %sp @+0x20:u32',
    'k:vfs_read(args)',
    'k:vfs_read(file->f_pos)',
    'k:vfs_read(im=\\1, s=\\"hi")',
  ];
  let planned = 0;
  let refused = 0;
  for (const text of texts) {
    const spec = parseProbe(text);
    for (const arch of ARCH_NAMES) {
      try {
        plan([spec], { arch, features: FULL_FEATURES, group: 'g' });
        planned++;
      } catch (e) {
        assert.ok(isProbekitError(e), `${arch} ${text}: ${String(e)}`);
        refused++;
      }
    }
  }
  assert.ok(planned > 100 && refused > 10, `planned ${planned}, refused ${refused}`);
});
