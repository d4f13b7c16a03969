/** Raw kernel lines: parse → plan → the identical line (group or event filled in when missing). */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { definitions, GROUP, planTexts } from './helpers.js';

const IDENTICAL = [
  'p:grp/ev do_sys_open',
  'p:grp/ev do_sys_open dfd=%di filename=+0(%si):string flags=%dx:x32 mode=%cx:u16',
  'p:grp/ev do_sys_open+8 %di %si',
  'r:grp/ret do_sys_open $retval',
  'r:grp/ret do_sys_open ret=$retval:s64',
  'r16:grp/ret vfs_read ret=$retval:s32',
  'p:grp/ev vfs_read cnt=%dx:u64 comm=$comm:string',
  'p:grp/ev vfs_read s0=$stack0 s2=$stack2 sp=$stack',
  'p:grp/ev vfs_read a1=$arg1 a2=$arg2:x32',
  'p:grp/ev vfs_read deep=+8(+0(%di)):u32 neg=-8(%sp):s64',
  'p:grp/ev vfs_read u=+u0(%si):u8 us=+0(%si):ustring',
  'p:grp/ev vfs_read jiffies=@jiffies:u64 off=@jiffies+8:u32',
  'p:grp/ev vfs_read arr=+0(%si):u8[16] bits=+0(%di):b3@4/32',
  'p:grp/ev vfs_read sym=%ip:symbol',
  'p:grp/ev ext4:ext4_file_open fn=+0(%si):string',
  'p:grp/up /bin/bash:0x4a0 a=%di s=+0(%si):string',
  'r:grp/ur /bin/bash:0x4a0 ret=$retval:s32',
  'p:grp/up /usr/lib/x86_64-linux-gnu/libc.so.6:0x9c2a0 sz=%di:u64 fo=@+0x1c8:u32',
  'p:grp/up /opt/demo/app:0x1149(0x4010) a=%di',
  'p:grp/imm vfs_read one=\\1 str=\\"hello"',
];

test(`${IDENTICAL.length} raw kernel lines round-trip exactly`, () => {
  assert.ok(IDENTICAL.length >= 15);
  for (const line of IDENTICAL) {
    const [def] = definitions([line], 'x86_64');
    assert.equal(def, line, line);
  }
});

test('a raw line keeps its group and event; a missing one is filled in', () => {
  assert.deepEqual(definitions(['p:ev do_sys_open %di'], 'x86_64'), [
    `p:${GROUP}/ev do_sys_open %di`,
  ]);
  assert.deepEqual(definitions(['r10 do_sys_open $retval'], 'x86_64'), [
    `r10:${GROUP}/r_do_sys_open_0 do_sys_open $retval`,
  ]);
  assert.deepEqual(definitions(['p /bin/bash:0x4a0'], 'x86_64'), [
    `p:${GROUP}/p_bash_0x4a0_0 /bin/bash:0x4a0`,
  ]);
  const p = planTexts(['p:mine/ev do_sys_open'], 'x86_64').probes[0];
  assert.equal(p?.removal, '-:mine/ev');
  assert.equal(p?.file, 'kprobe_events');
});

test('raw lines on other architectures keep their registers', () => {
  assert.deepEqual(definitions(['p:g/e do_sys_open a=%x0 b=+0(%x1):string'], 'arm64'), [
    'p:g/e do_sys_open a=%x0 b=+0(%x1):string',
  ]);
  assert.deepEqual(definitions(['p:g/e do_sys_open a=%r4 b=%gpr5'], 'powerpc64le'), [
    'p:g/e do_sys_open a=%r4 b=%gpr5',
  ]);
});

test('a raw line with a register the arch lacks is refused with the hint', () => {
  assert.throws(
    () => definitions(['p:g/e do_sys_open a=%a0'], 'loongarch64'),
    (e: Error & { code?: string; hint?: string; column?: number }) => {
      assert.equal(e.code, 'E_PLAN_REGISTER');
      assert.equal(e.column, 20);
      assert.equal(
        e.hint,
        'tracefs spells loongarch64 registers r0..r31, not by ABI name: write %r4',
      );
      return true;
    },
  );
});
