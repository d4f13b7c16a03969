/** The planner with BTF prototypes and member paths, from a small fixture. */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { btfPlanHooks, syscallParams } from '../../src/api/prototypes.js';
import { ptRegsOffsets } from '../../src/btf/index.js';
import { SpecError } from '../../src/errors.js';
import { FULL_FEATURES } from '../../src/plan/index.js';
import type { PlanOptions, SyscallArgs } from '../../src/plan/types.js';
import { planFixture } from './btf-fixture.js';
import { GROUP, planTexts } from './helpers.js';

const btf = planFixture();
const OPENAT_FIELDS = [
  { name: '__syscall_nr', type: 'int', offset: 8, size: 4, signed: true, common: false },
  { name: 'dfd', type: 'int', offset: 16, size: 8, signed: false, common: false },
  { name: 'filename', type: 'const char *', offset: 24, size: 8, signed: false, common: false },
  { name: 'flags', type: 'int', offset: 32, size: 8, signed: false, common: false },
  { name: 'mode', type: 'umode_t', offset: 40, size: 8, signed: false, common: false },
];
const syscalls = new Map<string, SyscallArgs>([
  [
    '__x64_sys_openat',
    { syscall: 'openat', params: syscallParams(btf, OPENAT_FIELDS), ptRegs: ptRegsOffsets(btf) },
  ],
]);
const hooks: Partial<PlanOptions> = btfPlanHooks(btf, syscalls);

function line(text: string, extra: Partial<PlanOptions> = {}): string | null | undefined {
  return planTexts([text], 'x86_64', { ...hooks, ...extra }).probes[0]?.definition;
}

function args(text: string) {
  return planTexts([text], 'x86_64', hooks).probes[0]?.args ?? [];
}

function specError(code: string, message: string | RegExp, column: number, hint?: RegExp) {
  return (e: unknown) => {
    assert.ok(e instanceof SpecError, `SpecError, got ${String(e)}`);
    assert.equal(e.code, code);
    if (typeof message === 'string') assert.equal(e.message, message);
    else assert.match(e.message, message);
    assert.equal(e.column, column, 'caret column');
    if (hint) assert.match(e.hint ?? '', hint);
    return true;
  };
}

test('names match parameters by name, in any order, typed from the prototype', () => {
  assert.equal(
    line('k:vfs_read(count, file)'),
    `p:${GROUP}/p_vfs_read_0 vfs_read count=%dx:u64 file=%di:x64`,
  );
});

test('a name matching no parameter lists the parameters, caret on the name', () => {
  assert.throws(
    () => line('k:vfs_read(file, len)'),
    specError(
      'E_PLAN_UNKNOWN_PARAM',
      "vfs_read has no parameter 'len'",
      17,
      /file, buf, count, pos$/,
    ),
  );
});

test('no list, or args: every parameter, typed; char * is a string; __user strings are ustring', () => {
  const want = `p:${GROUP}/p_vfs_read_0 vfs_read file=%di:x64 buf=+0(%si):string count=%dx:u64 pos=%cx:x64`;
  assert.equal(line('k:vfs_read'), want);
  assert.equal(line('k:vfs_read(args)'), want);
  assert.equal(
    line('k:vfs_write'),
    `p:${GROUP}/p_vfs_write_0 vfs_write file=%di:x64 buf=+0(%si):ustring count=%dx:u64 pos=%cx:x64`,
  );
  const buf = planTexts(['k:vfs_write'], 'x86_64', hooks).probes[0]?.args[1];
  assert.ok(buf?.notes.includes('buf points to user memory: its BTF type carries the __user tag'));
  // Without a prototype a bare probe records nothing (nothing to name).
  assert.equal(line('k:vfs_read', { prototype: () => null }), `p:${GROUP}/p_vfs_read_0 vfs_read`);
});

test('the syscall-function rule: char * of do_sys_* is user memory, of other functions not', () => {
  const a = args('k:do_sys_openat2(filename)');
  assert.equal(a[0]?.token, 'filename=+0(%si):ustring');
  assert.match(
    a[0]?.notes.join('\n') ?? '',
    /read as user memory by rule: a const char \* parameter of a syscall function \(do_sys_\*\)/,
  );
  assert.equal(args('k:getname_kernel(filename)')[0]?.token, 'filename=+0(%di):string');
  // Without ustring (before 5.2) the kernel string read is the fallback.
  assert.equal(
    line('k:do_sys_openat2(filename)', { features: { ...FULL_FEATURES, ustring: false } }),
    `p:${GROUP}/p_do_sys_openat2_0 do_sys_openat2 filename=+0(%si):string`,
  );
});

test('member paths become nested dereferences with BTF offsets', () => {
  // f_path@8 + dentry@8 → pointer at +16; d_name@8 + name@8 → char * at +16; then the string.
  assert.equal(
    args('k:vfs_read(file->f_path.dentry->d_name.name:string)')[0]?.fetch,
    '+0(+16(+16(%di))):string',
  );
  // The type comes from BTF when not given; char[16] is read in place.
  const a = args(
    'k:vfs_read(n=file->f_path.dentry->d_name.name, i=file->f_path.dentry->d_iname, p=file->f_pos, l=file->f_path.dentry->d_name.len)',
  );
  assert.deepEqual(
    a.map((x) => x.token),
    [
      'n=+0(+16(+16(%di))):string',
      'i=+24(+16(%di)):string',
      'p=+24(%di):s64',
      'l=+12(+16(%di)):u32',
    ],
  );
  assert.match(
    a[0]?.notes[0] ?? '',
    /member offsets from BTF: ->f_path \+8 \.dentry \+8 ->d_name \+8 \.name \+8/,
  );
  // Asking for the pointer itself.
  assert.equal(args('k:vfs_read(d=file->f_path.dentry)')[0]?.token, 'd=+16(%di):x64');
  assert.equal(args('k:vfs_read(d=file->f_path.dentry:x32)')[0]?.token, 'd=+16(%di):x32');
});

test('a member path at return reads the saved argument ($argN)', () => {
  assert.equal(args('kr:vfs_read(file->f_pos)')[0]?.token, 'file_f_pos=+24($arg1):s64');
});

test('a bitfield member becomes a tracefs bitfield type on its container', () => {
  assert.equal(args('k:consume_skb(skb->pkt_type)')[0]?.token, 'skb_pkt_type=+125(%di):b3@0/8');
  assert.equal(args('k:consume_skb(skb->mark)')[0]?.token, 'skb_mark=+16(%di):u32');
});

test('a missing member lists the members, with the caret on that element', () => {
  const text = 'k:vfs_read(count, file->f_path.dentry->d_nme.name)';
  assert.throws(
    () => line(text),
    specError(
      'E_BTF_NO_MEMBER',
      "vfs_read: '->f_path.dentry->d_nme': struct dentry has no member 'd_nme'",
      text.indexOf('->d_nme'),
      /^members: d_flags, d_name, d_iname$/,
    ),
  );
  const e = (() => {
    try {
      line(text);
    } catch (err) {
      return err as SpecError;
    }
    return null;
  })();
  assert.equal(e?.length, '->d_nme'.length);
  // '.' on a pointer, caret on '.f_path'.
  assert.throws(
    () => line('k:vfs_read(file.f_path)'),
    specError('E_BTF_IS_POINTER', /'.' on a pointer/, 15, /->f_path/),
  );
});

test('a struct member that is not one value needs a member or a type', () => {
  assert.throws(
    () => line('k:vfs_read(file->f_path)'),
    specError(
      'E_PLAN_MEMBER_TYPE',
      'file->f_path is struct path (16 bytes), not one value tracefs can read',
      11,
    ),
  );
  assert.equal(args('k:vfs_read(p=file->f_path:x64)')[0]?.token, 'p=+8(%di):x64');
});

test('member paths: user programs have no BTF; syscall wrapper arguments have no type', () => {
  assert.throws(
    () => line('u:/bin/true:0x10(a->b)'),
    specError('E_PLAN_NEEDS_BTF', 'the member path ->b needs BTF to find its offset', 17),
  );
  assert.throws(
    () => line('k:__x64_sys_openat(filename->x)'),
    specError('E_PLAN_NEEDS_BTF', /->x needs BTF/, 19, /tracepoint format/),
  );
});

test('u:PATH:SYMBOL(a, b) stays positional and untyped even with prototypes at hand', () => {
  const a = planTexts(['u:/bin/true:main(a, b)'], 'x86_64', {
    ...hooks,
    userPlaceholders: true,
  }).probes[0]?.args;
  assert.deepEqual(
    a?.map((x) => [x.token, x.notes.includes('taken by position: no prototype known')]),
    [
      ['a=%di', true],
      ['b=%si', true],
    ],
  );
});

test('retval is typed from the prototype, marked as errno; void refuses it', () => {
  const r = args('kr:vfs_read(retval)')[0];
  assert.equal(r?.token, 'retval=$retval:s64');
  assert.equal(r?.errno, true);
  assert.equal(args('kr:do_sys_openat2')[0]?.token, 'retval=$retval:s32');
  assert.equal(args('kr:do_sys_openat2')[0]?.errno, true);
  // A pointer return or an unsigned type is no errno.
  assert.equal(args('kr:getname_kernel(retval)')[0]?.errno, undefined);
  assert.equal(args('kr:vfs_read(retval:u64)')[0]?.errno, undefined);
  assert.throws(
    () => line('kr:consume_skb(retval)'),
    specError(
      'E_PLAN_VOID_RETVAL',
      'consume_skb returns void: there is no return value to read',
      15,
    ),
  );
  assert.equal(line('kr:consume_skb'), `r:${GROUP}/r_consume_skb_0 consume_skb`);
});

test('a pt_regs syscall wrapper reads the syscall arguments by name through regs (r10, not cx)', () => {
  assert.equal(
    line('k:__x64_sys_openat(filename, dfd, mode, flags)'),
    `p:${GROUP}/p_x64_sys_openat_0 __x64_sys_openat filename=+0(+104(%di)):ustring dfd=+112(%di):s32 mode=+56(%di):u16 flags=+96(%di):s32`,
  );
  assert.equal(
    line('k:__x64_sys_openat'),
    `p:${GROUP}/p_x64_sys_openat_0 __x64_sys_openat dfd=+112(%di):s32 filename=+0(+104(%di)):ustring flags=+96(%di):s32 mode=+56(%di):u16`,
  );
  const f = args('k:__x64_sys_openat(filename)')[0];
  assert.equal(f?.ptRegs, 'regs->si');
  assert.ok(f?.notes.includes('filename is a pointer argument of syscall openat: user memory'));
  // argN is the syscall's argument N.
  assert.equal(args('k:__x64_sys_openat(arg2)')[0]?.token, 'arg2=+0(+104(%di)):ustring');
  // A dereference of a member is untyped memory again.
  assert.equal(args('k:vfs_read(x=+4(file->f_path.dentry))')[0]?.token, 'x=+4(+16(%di))');
  // The wrapper's own parameter still works, with BTF member paths.
  assert.equal(args('k:__x64_sys_openat(regs->r10)')[0]?.token, 'regs_r10=+56(%di):u64');
  assert.throws(
    () => line('k:__x64_sys_openat(path)'),
    specError(
      'E_PLAN_UNKNOWN_PARAM',
      "__x64_sys_openat has no parameter 'path'",
      19,
      /syscall openat are: dfd, filename, flags, mode/,
    ),
  );
  // The same names at return come from the saved pt_regs pointer.
  assert.equal(args('kr:__x64_sys_openat(dfd)')[0]?.token, 'dfd=+112($arg1):s32');
  assert.equal(args('kr:__x64_sys_openat')[0]?.errno, true);
});

test('without the syscall arguments, a wrapper explains where they would come from', () => {
  assert.throws(
    () => line('k:__x64_sys_openat(dfd)', { syscallArgs: () => null }),
    specError(
      'E_PLAN_UNKNOWN_PARAM',
      "__x64_sys_openat has no parameter 'dfd'",
      19,
      /sys_enter tracepoint format/,
    ),
  );
});

test('arm64 reads syscall arguments from regs[N]', () => {
  const arm = new Map<string, SyscallArgs>([
    [
      '__x64_sys_openat',
      { syscall: 'openat', params: syscallParams(btf, OPENAT_FIELDS), ptRegs: { regs: 0 } },
    ],
  ]);
  const p = planTexts(['k:__x64_sys_openat(dfd, filename, mode)'], 'arm64', btfPlanHooks(btf, arm));
  assert.deepEqual(
    p.probes[0]?.args.map((a) => [a.token, a.ptRegs]),
    [
      ['dfd=+0(%x0):s32', 'regs->regs[0]'],
      ['filename=+0(+8(%x0)):ustring', 'regs->regs[1]'],
      ['mode=+24(%x0):u16', 'regs->regs[3]'],
    ],
  );
});

test('a bare k:FUNC records what it can locate and says why not the rest', () => {
  const p = planTexts(['k:takes_struct', 'k:vfs_read+4'], 'x86_64', hooks).probes;
  assert.deepEqual(
    p[0]?.args.map((a) => a.token),
    ['a=%di:s32'],
  );
  assert.ok(
    p[0]?.notes.some((n) =>
      n.startsWith(
        'not recorded: p, b (p cannot be located: takes_struct takes struct path p by value)',
      ),
    ),
    p[0]?.notes.join('\n'),
  );
  assert.deepEqual(p[1]?.args, [], 'at an offset the registers may be reused: nothing implicit');
  // Asked for explicitly, the same is an error.
  assert.throws(
    () => line('k:takes_struct(args)'),
    (e: unknown) => e instanceof SpecError && e.code === 'E_PLAN_AGGREGATE_ARG',
  );
});
