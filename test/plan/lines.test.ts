/** The planner's exact lines for each architecture, for one set of probes. */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { ArchName } from '../../src/arch/types.js';
import { GROUP, planTexts } from './helpers.js';

const SPECS = [
  'k:do_sys_open(dfd, filename:string, flags, mode)',
  'kr:do_sys_open(retval:s64)',
  'u:/bin/bash:0x4a0(a, s:string)',
  'ur:/bin/bash:0x4a0(retval)',
  'k:vfs_read(file, buf, count) if count > 4096 && comm == "bash"',
  't:syscalls:sys_enter_openat(filename)',
];

/** Kernel argument fetches 1..4, user argument fetches 1..2, from the ABI documents. */
const ABI: Record<ArchName, { k: string[]; u: string[] }> = {
  x86_64: { k: ['%di', '%si', '%dx', '%cx'], u: ['%di', '%si'] },
  i386: { k: ['%ax', '%dx', '%cx', '$stack1'], u: ['$stack1', '$stack2'] },
  arm64: { k: ['%x0', '%x1', '%x2', '%x3'], u: ['%x0', '%x1'] },
  arm: { k: ['%r0', '%r1', '%r2', '%r3'], u: ['%r0', '%r1'] },
  riscv64: { k: ['%a0', '%a1', '%a2', '%a3'], u: ['%a0', '%a1'] },
  s390x: { k: ['%r2', '%r3', '%r4', '%r5'], u: ['%r2', '%r3'] },
  powerpc64le: { k: ['%r3', '%r4', '%r5', '%r6'], u: ['%r3', '%r4'] },
  powerpc64: { k: ['%r3', '%r4', '%r5', '%r6'], u: ['%r3', '%r4'] },
  loongarch64: { k: ['%r4', '%r5', '%r6', '%r7'], u: ['%r4', '%r5'] },
  mips64: { k: ['%r4', '%r5', '%r6', '%r7'], u: ['%r4', '%r5'] },
};

for (const [arch, { k, u }] of Object.entries(ABI) as [ArchName, { k: string[]; u: string[] }][]) {
  test(`exact lines on ${arch}`, () => {
    const p = planTexts(SPECS, arch);
    assert.equal(p.arch, arch);
    assert.deepEqual(
      p.probes.map((x) => x.definition),
      [
        `p:${GROUP}/p_do_sys_open_0 do_sys_open dfd=${k[0]} filename=+0(${k[1]}):string flags=${k[2]} mode=${k[3]}`,
        `r:${GROUP}/r_do_sys_open_1 do_sys_open retval=$retval:s64`,
        `p:${GROUP}/p_bash_0x4a0_2 /bin/bash:0x4a0 a=${u[0]} s=+0(${u[1]}):string`,
        `r:${GROUP}/r_bash_0x4a0_3 /bin/bash:0x4a0 retval=$retval`,
        `p:${GROUP}/p_vfs_read_4 vfs_read file=${k[0]} buf=${k[1]} count=${k[2]}`,
        null,
      ],
    );
    assert.deepEqual(
      p.probes.map((x) => x.removal),
      [
        `-:${GROUP}/p_do_sys_open_0`,
        `-:${GROUP}/r_do_sys_open_1`,
        `-:${GROUP}/p_bash_0x4a0_2`,
        `-:${GROUP}/r_bash_0x4a0_3`,
        `-:${GROUP}/p_vfs_read_4`,
        null,
      ],
    );
    assert.deepEqual(
      p.probes.map((x) => x.file),
      ['kprobe_events', 'kprobe_events', 'uprobe_events', 'uprobe_events', 'kprobe_events', null],
    );
    assert.equal(p.probes[4]?.filter, 'count > 4096 && comm == "bash"');
    assert.equal(p.probes[5]?.group, 'syscalls');
    assert.equal(p.probes[5]?.event, 'sys_enter_openat');
  });
}

test('explain details for one argument: register, pt_regs member, assembler name', () => {
  const x86 = planTexts([SPECS[0] as string], 'x86_64').probes[0]?.args[1];
  assert.deepEqual(
    {
      position: x86?.position,
      register: x86?.register,
      ptRegs: x86?.ptRegs,
      asm: x86?.asm,
      fetch: x86?.fetch,
      token: x86?.token,
    },
    {
      position: 2,
      register: '%si',
      ptRegs: 'regs->si',
      asm: 'rsi',
      fetch: '+0(%si):string',
      token: 'filename=+0(%si):string',
    },
  );
  assert.ok(x86?.notes.includes('taken by position: no prototype known'));
  const a64 = planTexts([SPECS[0] as string], 'arm64').probes[0]?.args[1];
  assert.equal(a64?.fetch, '+0(%x1):string');
  assert.equal(a64?.ptRegs, 'regs->regs[1]');
});

test('files: the definition file once, then enable and filter per event, in the instance', () => {
  const p = planTexts([SPECS[0] as string, SPECS[4] as string, SPECS[5] as string], 'x86_64', {
    instance: 'pk_i',
  });
  assert.deepEqual(p.files, [
    'kprobe_events',
    `instances/pk_i/events/${GROUP}/p_do_sys_open_0/enable`,
    `instances/pk_i/events/${GROUP}/p_vfs_read_1/enable`,
    `instances/pk_i/events/${GROUP}/p_vfs_read_1/filter`,
    'instances/pk_i/events/syscalls/sys_enter_openat/enable',
  ]);
});

test('dynamic_events when the specific file is missing', () => {
  const p = planTexts(['k:vfs_read', 'u:/bin/true:0x10'], 'x86_64', {
    features: { ...fullFeatures(), kprobeEvents: false, uprobeEvents: false },
  });
  assert.deepEqual(
    p.probes.map((x) => x.file),
    ['dynamic_events', 'dynamic_events'],
  );
});

test('arguments past the registers come from the stack at entry', () => {
  const seven = 'k:f(a, b, c, d, e, f, g)';
  assert.equal(
    planTexts([seven], 'x86_64').probes[0]?.definition,
    `p:${GROUP}/p_f_0 f a=%di b=%si c=%dx d=%cx e=%r8 f=%r9 g=$stack1`,
  );
  assert.equal(
    planTexts([seven], 'x86_64').probes[0]?.args[6]?.notes[0],
    'more arguments than x86_64 passes in registers: argument 7 is read from the stack at entry as $stack1',
  );
  assert.equal(
    planTexts([seven], 's390x').probes[0]?.definition,
    `p:${GROUP}/p_f_0 f a=%r2 b=%r3 c=%r4 d=%r5 e=%r6 f=+160(%r15) g=+168(%r15)`,
  );
  assert.equal(
    planTexts([seven], 'arm').probes[0]?.definition,
    `p:${GROUP}/p_f_0 f a=%r0 b=%r1 c=%r2 d=%r3 e=$stack0 f=$stack1 g=$stack2`,
  );
  assert.equal(
    planTexts([seven], 'i386').probes[0]?.definition,
    `p:${GROUP}/p_f_0 f a=%ax b=%dx c=%cx d=$stack1 e=$stack2 f=$stack3 g=$stack4`,
  );
  const nine = 'k:f(a, b, c, d, e, f, g, h, i)';
  for (const arch of ['arm64', 'riscv64', 'loongarch64', 'mips64'] as const) {
    assert.match(planTexts([nine], arch).probes[0]?.definition ?? '', / i=\$stack0$/, arch);
  }
});

test('a prototype matches names in any order and types them', () => {
  const prototype = (func: string) =>
    func === 'do_sys_open'
      ? {
          name: 'do_sys_open',
          returnType: 'long',
          params: [
            {
              name: 'dfd',
              type: 'int',
              isString: false,
              isUserPtr: false,
              size: 4,
              signed: true,
              isPointer: false,
            },
            {
              name: 'filename',
              type: 'const char *',
              isString: true,
              isUserPtr: true,
              size: 8,
              signed: false,
              isPointer: true,
            },
            {
              name: 'flags',
              type: 'int',
              isString: false,
              isUserPtr: false,
              size: 4,
              signed: true,
              isPointer: false,
            },
            {
              name: 'mode',
              type: 'umode_t',
              isString: false,
              isUserPtr: false,
              size: 2,
              signed: false,
              isPointer: false,
            },
          ],
        }
      : null;
  assert.equal(
    planTexts(['k:do_sys_open(mode, dfd)'], 'x86_64', { prototype }).probes[0]?.definition,
    `p:${GROUP}/p_do_sys_open_0 do_sys_open mode=%cx:u16 dfd=%di:s32`,
  );
  assert.equal(
    planTexts(['k:do_sys_open(args)'], 'arm64', { prototype }).probes[0]?.definition,
    `p:${GROUP}/p_do_sys_open_0 do_sys_open dfd=%x0:s32 filename=+0(%x1):ustring flags=%x2:s32 mode=%x3:u16`,
  );
});

test('a user symbol is resolved to a file offset; without a resolver explain gets a placeholder', () => {
  const resolveUser = (path: string, symbol: string) =>
    symbol === 'readline' ? { path, offset: 0x8d4a0n } : null;
  assert.equal(
    planTexts(['u:/bin/bash:readline(a)'], 'x86_64', { resolveUser }).probes[0]?.definition,
    `p:${GROUP}/p_bash_readline_0 /bin/bash:0x8d4a0 a=%di`,
  );
  const ph = planTexts(['u:/bin/bash:readline'], 'x86_64', { userPlaceholders: true }).probes[0];
  assert.equal(ph?.definition, `p:${GROUP}/p_bash_readline_0 /bin/bash:readline`);
  assert.match(ph?.notes[0] ?? '', /^placeholder: /);
});

test('comm, stack, memory and immediates are written as tracefs spells them', () => {
  assert.equal(
    planTexts(['k:f(c=comm, s=$stack2, m=+8(%di):u32, j=@jiffies:u64)'], 'x86_64').probes[0]
      ?.definition,
    `p:${GROUP}/p_f_0 f c=$comm:string s=$stack2 m=+8(%di):u32 j=@jiffies:u64`,
  );
});

function fullFeatures() {
  return {
    argN: true,
    argNAtReturn: true,
    ustring: true,
    userDeref: true,
    char: true,
    symstr: true,
    btfArgs: false,
    dynamicEvents: true,
    kprobeEvents: true,
    uprobeEvents: true,
    returnSuffix: true,
    immediates: true,
  };
}

test('retval is typed from the prototype; a void function has none; a struct by value stops positional reads', () => {
  const base = {
    name: 'f',
    returnType: 'long',
    params: [],
    returnSize: 8,
    returnSigned: true,
    returnIsVoid: false,
    returnIsPointer: false,
  };
  assert.equal(
    planTexts(['kr:f(retval)'], 'x86_64', { prototype: () => base }).probes[0]?.definition,
    `r:${GROUP}/r_f_0 f retval=$retval:s64`,
  );
  assert.throws(
    () =>
      planTexts(['kr:f(retval)'], 'x86_64', {
        prototype: () => ({ ...base, returnType: 'void', returnSize: 0, returnIsVoid: true }),
      }),
    {
      code: 'E_PLAN_VOID_RETVAL',
      message: 'f returns void: there is no return value to read',
    },
  );
  const withStruct = {
    ...base,
    params: [
      {
        name: 'ts',
        type: 'struct timespec64',
        isString: false,
        isUserPtr: false,
        size: 16,
        signed: false,
        isPointer: false,
        isAggregate: true,
      },
      {
        name: 'flags',
        type: 'int',
        isString: false,
        isUserPtr: false,
        size: 4,
        signed: true,
        isPointer: false,
      },
    ],
  };
  assert.throws(() => planTexts(['k:f(flags)'], 'x86_64', { prototype: () => withStruct }), {
    code: 'E_PLAN_AGGREGATE_ARG',
    message: 'flags cannot be located: f takes struct timespec64 ts by value',
  });
});
