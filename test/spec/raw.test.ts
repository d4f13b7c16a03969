import assert from 'node:assert/strict';
import { test } from 'node:test';
import {
  formatArg,
  formatKernelPlace,
  formatUserPlace,
  parseProbe,
  renderRawLine,
} from '../../src/spec/index.js';
import type { ProbeSpec } from '../../src/spec/types.js';
import { catchSpecError, strip } from './helpers.js';

/** Writes a raw spec from its fields alone (not from `text`): proves the fields hold the whole line. */
function renderFromFields(spec: ProbeSpec): string {
  const isReturn = spec.kind === 'kretprobe' || spec.kind === 'uretprobe';
  const named =
    spec.group !== null || spec.event !== null
      ? `:${spec.group === null ? '' : `${spec.group}/`}${spec.event ?? ''}`
      : '';
  const header = `${isReturn ? 'r' : 'p'}${spec.maxactive ?? ''}${named}`;
  const t = spec.target;
  const place =
    t.kind === 'kernel'
      ? formatKernelPlace(t)
      : t.kind === 'user'
        ? formatUserPlace(t)
        : assert.fail('tracepoint');
  const args = (spec.args ?? []).map(formatArg);
  if (spec.allArgs) args.push('$arg*');
  return [header, place, ...args].join(' ');
}

const K = (symbol: string | null, extra: Record<string, unknown> = {}) => ({
  kind: 'kernel',
  module: null,
  symbol,
  address: null,
  offset: 0n,
  ...extra,
});
const U = (path: string, offset: bigint, refCtrOffset: bigint | null = null) => ({
  kind: 'user',
  path,
  symbol: null,
  offset,
  refCtrOffset,
});

/** [line, kind, group, event, maxactive, target (no span), arg tokens as the kernel names them] */
const RAW: readonly [
  string,
  string,
  string | null,
  string | null,
  number | null,
  unknown,
  string[],
][] = [
  ['p:myprobe vfs_read', 'kprobe', null, 'myprobe', null, K('vfs_read'), []],
  ['p vfs_read', 'kprobe', null, null, null, K('vfs_read'), []],
  [
    'p:probekit/open do_sys_open dfd=%di:s32 filename=+0(%si):string flags=%dx:x32',
    'kprobe',
    'probekit',
    'open',
    null,
    K('do_sys_open'),
    ['dfd=%di:s32', 'filename=+0(%si):string', 'flags=%dx:x32'],
  ],
  ['r100:grp/ev vfs_read $retval', 'kretprobe', 'grp', 'ev', 100, K('vfs_read'), ['arg1=$retval']],
  [
    'r4096 vfs_read ret=$retval:s64',
    'kretprobe',
    null,
    null,
    4096,
    K('vfs_read'),
    ['ret=$retval:s64'],
  ],
  ['r1:my-grp/ev vfs_read', 'kretprobe', 'my-grp', 'ev', 1, K('vfs_read'), []],
  ['p vfs_read%return $retval', 'kretprobe', null, null, null, K('vfs_read'), ['arg1=$retval']],
  ['p vfs_read+0%return', 'kretprobe', null, null, null, K('vfs_read'), []],
  [
    'p:kprobes/ ext4:ext4_sync_file+16 %ax',
    'kprobe',
    'kprobes',
    null,
    null,
    K('ext4_sync_file', { module: 'ext4', offset: 16n }),
    ['arg1=%ax'],
  ],
  [
    'p:a 0xffffffff81000000 %di',
    'kprobe',
    null,
    'a',
    null,
    K(null, { address: 0xffffffff81000000n }),
    ['arg1=%di'],
  ],
  ['p:g/u /bin/bash:0x4a5b0 %di', 'uprobe', 'g', 'u', null, U('/bin/bash', 0x4a5b0n), ['arg1=%di']],
  [
    'r:g/u /bin/bash:0x4a5b0 ret=%ax',
    'uretprobe',
    'g',
    'u',
    null,
    U('/bin/bash', 0x4a5b0n),
    ['ret=%ax'],
  ],
  [
    'p /opt/app:0x1149%return(0x4010) x=%ax',
    'uretprobe',
    null,
    null,
    null,
    U('/opt/app', 0x1149n, 0x4010n),
    ['x=%ax'],
  ],
  [
    'p:sdt/probe /opt/app:0x1149(0x4010)',
    'uprobe',
    'sdt',
    'probe',
    null,
    U('/opt/app', 0x1149n, 0x4010n),
    [],
  ],
  [
    'p /opt/a:b/app:4425 y=@+8192:u32',
    'uprobe',
    null,
    null,
    null,
    U('/opt/a:b/app', 4425n),
    ['y=@+8192:u32'],
  ],
  [
    'p ./app:0x10 x=+u0(%si):ustring',
    'uprobe',
    null,
    null,
    null,
    U('./app', 16n),
    ['x=+u0(%si):ustring'],
  ],
  [
    'p vfs_read a=+0(%si):u8[16] b=+8(%si):string[2]',
    'kprobe',
    null,
    null,
    null,
    K('vfs_read'),
    ['a=+0(%si):u8[16]', 'b=+8(%si):string[2]'],
  ],
  [
    'p vfs_read f=+16(%di):b4@3/32 g=+0(%di):b1@7/8',
    'kprobe',
    null,
    null,
    null,
    K('vfs_read'),
    ['f=+16(%di):b4@3/32', 'g=+0(%di):b1@7/8'],
  ],
  [
    'p vfs_read n=+0(+24(+8(%di))):string m=-8(+0(%sp)):u64',
    'kprobe',
    null,
    null,
    null,
    K('vfs_read'),
    ['n=+0(+24(+8(%di))):string', 'm=-8(+0(%sp)):u64'],
  ],
  [
    'p vfs_read i=\\42 s=\\"hello" n=\\-5 h=\\0x10',
    'kprobe',
    null,
    null,
    null,
    K('vfs_read'),
    ['i=\\42', 's=\\"hello"', 'n=\\-5', 'h=\\0x10'],
  ],
  [
    'p vfs_read %di %si arg5=%dx',
    'kprobe',
    null,
    null,
    null,
    K('vfs_read'),
    ['arg1=%di', 'arg2=%si', 'arg5=%dx'],
  ],
  [
    'p vfs_read file count',
    'kprobe',
    null,
    null,
    null,
    K('vfs_read'),
    ['file=file', 'count=count'],
  ],
  [
    'p vfs_read file->f_pos:s64',
    'kprobe',
    null,
    null,
    null,
    K('vfs_read'),
    ['arg1=file->f_pos:s64'],
  ],
  [
    'p vfs_read c=$comm cc=$COMM:string s=$stack2 sp=$stack a1=$arg1',
    'kprobe',
    null,
    null,
    null,
    K('vfs_read'),
    ['c=$comm', 'cc=$comm:string', 's=$stack2', 'sp=$stack', 'a1=$arg1'],
  ],
  [
    'p vfs_read sym=@jiffies:u64 a=@0xffffffff82000000 o=@jiffies+8',
    'kprobe',
    null,
    null,
    null,
    K('vfs_read'),
    ['sym=@jiffies:u64', 'a=@0xffffffff82000000', 'o=@jiffies+8'],
  ],
  [
    'p vfs_read x=%di:symbol y=%si:symstr z=+0(%di):char',
    'kprobe',
    null,
    null,
    null,
    K('vfs_read'),
    ['x=%di:symbol', 'y=%si:symstr', 'z=+0(%di):char'],
  ],
  [
    'p do_sys_open d=+0(%si):%pd f=%di:%pD',
    'kprobe',
    null,
    null,
    null,
    K('do_sys_open'),
    ['d=+0(%si):%pd', 'f=%di:%pD'],
  ],
  ['p vfs_read $arg*', 'kprobe', null, null, null, K('vfs_read'), []],
];

test(`${RAW.length} raw kernel lines parse into specs that keep the line`, () => {
  for (const [line, kind, group, event, maxactive, target, args] of RAW) {
    const spec = parseProbe(line);
    assert.equal(spec.syntax, 'raw', line);
    assert.equal(spec.kind, kind, line);
    assert.deepEqual([spec.group, spec.event, spec.maxactive], [group, event, maxactive], line);
    assert.deepEqual(strip(spec.target), target, line);
    assert.deepEqual(
      spec.args?.map((a) => `${a.name}=${formatArg({ ...a, explicitName: false })}`),
      args,
      line,
    );
    assert.equal(spec.filter, null);
    assert.equal(renderRawLine(spec), line, line);
  }
});

test('unnamed raw arguments are named argN (or after their BTF name) but keep explicitName false', () => {
  const spec = parseProbe('p vfs_read %di x=%si count');
  assert.deepEqual(
    spec.args?.map((a) => [a.name, a.explicitName]),
    [
      ['arg1', false],
      ['x', true],
      ['count', false],
    ],
  );
  assert.equal(parseProbe('p vfs_read $arg*').allArgs, true);
});

test('rendering from the fields alone gives back an equivalent line', () => {
  for (const [line] of RAW) {
    const spec = parseProbe(line);
    const again = parseProbe(renderFromFields(spec));
    assert.deepEqual(strip({ ...again, text: '' }), strip({ ...spec, text: '' }), line);
  }
  const canonical = [
    'r100:grp/ev vfs_read arg1=$retval',
    'p:g/u /bin/bash:0x4a5b0 x=%di',
    'p vfs_read n=+0(+24(+8(%di))):string m=-8(+0(%sp)):u64',
  ];
  for (const line of canonical) assert.equal(renderFromFields(parseProbe(line)), line);
});

test('raw lines render exactly, with whitespace collapsed and the group or event replaced', () => {
  const spec = parseProbe('  p:myprobe   vfs_read\tx=%di   y=+0(%si):string  ');
  assert.equal(renderRawLine(spec), 'p:myprobe vfs_read x=%di y=+0(%si):string');
  assert.equal(
    renderRawLine(spec, { group: 'probekit_1' }),
    'p:probekit_1/myprobe vfs_read x=%di y=+0(%si):string',
  );
  assert.equal(renderRawLine(parseProbe('r0x10 vfs_read')), 'r0x10 vfs_read');
  assert.equal(parseProbe('r0x10 vfs_read').maxactive, 16);
  assert.equal(parseProbe('r010 vfs_read').maxactive, 8);
  assert.equal(
    renderRawLine(parseProbe('r5 vfs_read'), { group: 'g', event: null }),
    'r5:g/ vfs_read',
  );
  assert.equal(catchSpecError(() => renderRawLine(parseProbe('k:vfs_read'))).code, 'E_SPEC_RAW');
});

test('target spans of raw lines cover the whole place token', () => {
  const line = 'p /opt/app:0x1149%return(0x4010) x=%ax';
  const spec = parseProbe(line);
  assert.equal(
    line.slice(spec.target.span.start, spec.target.span.end),
    '/opt/app:0x1149%return(0x4010)',
  );
  assert.equal(line.slice(spec.args![0]!.span.start, spec.args![0]!.span.end), 'x=%ax');
});

test('perf-tools shorthands: p:FUNC ARGS, r:FUNC $retval, p:LIB:SYM ARGS', () => {
  const a = parseProbe('p:do_sys_open filename=+0(%si):string');
  assert.equal(a.kind, 'kprobe');
  assert.equal(a.syntax, 'probekit');
  assert.equal(a.event, 'do_sys_open');
  assert.equal(a.group, null);
  assert.deepEqual(strip(a.target), K('do_sys_open'));
  assert.deepEqual(a.args?.map(formatArg), ['filename=+0(%si):string']);

  const r = parseProbe('r:do_sys_open $retval');
  assert.equal(r.kind, 'kretprobe');
  assert.deepEqual(a.args?.length, 1);
  assert.deepEqual(strip(r.args), [
    { name: 'arg1', explicitName: false, expr: { kind: 'retval' }, type: null },
  ]);

  const u = parseProbe('p:libc:sleep %di');
  assert.equal(u.kind, 'uprobe');
  assert.equal(u.event, 'sleep');
  assert.deepEqual(strip(u.target), {
    kind: 'user',
    path: 'libc',
    symbol: 'sleep',
    offset: 0n,
    refCtrOffset: null,
  });

  const ur = parseProbe('r:bash:readline +0($retval):string');
  assert.equal(ur.kind, 'uretprobe');
  assert.deepEqual(strip(ur.target), {
    kind: 'user',
    path: 'bash',
    symbol: 'readline',
    offset: 0n,
    refCtrOffset: null,
  });

  assert.deepEqual(strip(parseProbe('p:/bin/bash:readline').target), {
    kind: 'user',
    path: '/bin/bash',
    symbol: 'readline',
    offset: 0n,
    refCtrOffset: null,
  });
  assert.equal(parseProbe('p:libc:sleep $arg1').args?.[0]?.expr.kind, 'argN');

  const bare = parseProbe('p:vfs_read');
  assert.deepEqual([bare.kind, bare.event, bare.args], ['kprobe', 'vfs_read', []]);
  assert.equal(parseProbe('p:foo.isra.0 %di').event, 'foo_isra_0');
  assert.equal(parseProbe('p:tcp_sendmsg size=%dx').event, 'tcp_sendmsg');

  // a place after the event name makes it a kernel line with that event name
  const named = parseProbe('p:myev vfs_read');
  assert.deepEqual(
    [named.syntax, named.event, (named.target as { symbol: string }).symbol],
    ['raw', 'myev', 'vfs_read'],
  );
});
