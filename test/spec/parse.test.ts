import assert from 'node:assert/strict';
import { test } from 'node:test';
import { parseProbe } from '../../src/spec/index.js';
import type { ProbeSpec } from '../../src/spec/types.js';
import { strip } from './helpers.js';

const t = (base: string, text: string, start: number, extra: Record<string, unknown> = {}) => ({
  base,
  bitfield: null,
  array: null,
  text,
  span: { start, end: start + text.length },
  ...extra,
});

test('the full ProbeSpec of a kprobe with typed parameters and a filter', () => {
  const text =
    'k:do_sys_open(dfd:s32, filename:string, flags:x32, mode:u16) if filename ~ "/etc/*" && dfd == -100';
  const expected: ProbeSpec = {
    kind: 'kprobe',
    text,
    target: {
      kind: 'kernel',
      module: null,
      symbol: 'do_sys_open',
      address: null,
      offset: 0n,
      span: { start: 2, end: 13 },
    },
    args: [
      {
        name: 'dfd',
        explicitName: false,
        expr: { kind: 'param', name: 'dfd', span: { start: 14, end: 17 } },
        type: t('s32', 's32', 18) as never,
        span: { start: 14, end: 21 },
      },
      {
        name: 'filename',
        explicitName: false,
        expr: { kind: 'param', name: 'filename', span: { start: 23, end: 31 } },
        type: t('string', 'string', 32) as never,
        span: { start: 23, end: 38 },
      },
      {
        name: 'flags',
        explicitName: false,
        expr: { kind: 'param', name: 'flags', span: { start: 40, end: 45 } },
        type: t('x32', 'x32', 46) as never,
        span: { start: 40, end: 49 },
      },
      {
        name: 'mode',
        explicitName: false,
        expr: { kind: 'param', name: 'mode', span: { start: 51, end: 55 } },
        type: t('u16', 'u16', 56) as never,
        span: { start: 51, end: 59 },
      },
    ],
    allArgs: false,
    filter: {
      kind: 'and',
      left: {
        kind: 'cmp',
        field: 'filename',
        fieldSpan: { start: 64, end: 72 },
        op: '~',
        value: { kind: 'string', text: '/etc/*' },
        span: { start: 64, end: 83 },
      },
      right: {
        kind: 'cmp',
        field: 'dfd',
        fieldSpan: { start: 87, end: 90 },
        op: '==',
        value: { kind: 'number', text: '-100' },
        span: { start: 87, end: 98 },
      },
      span: { start: 64, end: 98 },
    },
    filterText: 'filename ~ "/etc/*" && dfd == -100',
    maxactive: null,
    group: null,
    event: null,
    syntax: 'probekit',
  };
  assert.deepEqual(parseProbe(text), expected);
});

const K = (symbol: string | null, extra: Record<string, unknown> = {}) => ({
  kind: 'kernel',
  module: null,
  symbol,
  address: null,
  offset: 0n,
  ...extra,
});
const U = (path: string, symbol: string | null, offset = 0n) => ({
  kind: 'user',
  path,
  symbol,
  offset,
  refCtrOffset: null,
});

/** [input, kind, target (no span)] */
const TARGETS: readonly [string, string, unknown][] = [
  ['k:vfs_read', 'kprobe', K('vfs_read')],
  ['kprobe:vfs_read', 'kprobe', K('vfs_read')],
  ['k:vfs_read+0x10', 'kprobe', K('vfs_read', { offset: 16n })],
  ['k:vfs_read+16', 'kprobe', K('vfs_read', { offset: 16n })],
  ['k:tcp_v4_connect.cold', 'kprobe', K('tcp_v4_connect.cold')],
  ['k:ext4:ext4_sync_file', 'kprobe', K('ext4_sync_file', { module: 'ext4' })],
  [
    'k:nf-conntrack:nf_ct_delete+4',
    'kprobe',
    K('nf_ct_delete', { module: 'nf-conntrack', offset: 4n }),
  ],
  ['k:0xffffffff81000000', 'kprobe', K(null, { address: 0xffffffff81000000n })],
  ['kr:vfs_read', 'kretprobe', K('vfs_read')],
  ['kretprobe:ext4:ext4_sync_file', 'kretprobe', K('ext4_sync_file', { module: 'ext4' })],
  ['u:libc:malloc', 'uprobe', U('libc', 'malloc')],
  ['uprobe:/bin/bash:readline', 'uprobe', U('/bin/bash', 'readline')],
  [
    'u:/lib/x86_64-linux-gnu/libc.so.6:malloc+4',
    'uprobe',
    U('/lib/x86_64-linux-gnu/libc.so.6', 'malloc', 4n),
  ],
  ['u:./app:0x1149', 'uprobe', U('./app', null, 0x1149n)],
  ['u:app:4425', 'uprobe', U('app', null, 4425n)],
  ['u:/opt/a:b/app:main', 'uprobe', U('/opt/a:b/app', 'main')],
  [
    'u:/usr/lib/libc.so.6:malloc@@GLIBC_2.2.5',
    'uprobe',
    U('/usr/lib/libc.so.6', 'malloc@@GLIBC_2.2.5'),
  ],
  ['ur:/bin/bash:readline', 'uretprobe', U('/bin/bash', 'readline')],
  ['uretprobe:libc:malloc', 'uretprobe', U('libc', 'malloc')],
  [
    't:sched:sched_switch',
    'tracepoint',
    { kind: 'tracepoint', group: 'sched', event: 'sched_switch' },
  ],
  [
    'tracepoint:syscalls:sys_enter_openat',
    'tracepoint',
    { kind: 'tracepoint', group: 'syscalls', event: 'sys_enter_openat' },
  ],
  ['t:9p:9p_client_req', 'tracepoint', { kind: 'tracepoint', group: '9p', event: '9p_client_req' }],
];

test(`${TARGETS.length} targets in every kind and short form`, () => {
  for (const [input, kind, target] of TARGETS) {
    const spec = parseProbe(input);
    assert.equal(spec.kind, kind, input);
    assert.deepEqual(strip(spec.target), target, input);
    assert.equal(spec.args, null, input);
    assert.equal(spec.syntax, 'probekit');
    assert.deepEqual(spec.target.span, { start: input.indexOf(':') + 1, end: input.length }, input);
  }
});

const P = (name: string) => ({ kind: 'param', name });
const arg = (name: string, expr: unknown, type: unknown = null, explicitName = false) => ({
  name,
  explicitName,
  expr,
  type,
});
const ty = (base: string, text = base, array: number | null = null) => ({
  base,
  bitfield: null,
  array,
  text,
});

/** [input, args (no spans), allArgs] */
const ARGS: readonly [string, unknown[], boolean][] = [
  ['k:f()', [], false],
  ['k:f( )', [], false],
  ['k:f(dfd)', [arg('dfd', P('dfd'))], false],
  [
    'k:f(arg2, $arg3)',
    [arg('arg2', { kind: 'argN', index: 2 }), arg('arg3', { kind: 'argN', index: 3 })],
    false,
  ],
  [
    'kr:f(retval, r=$retval:s32)',
    [arg('retval', { kind: 'retval' }), arg('r', { kind: 'retval' }, ty('s32'), true)],
    false,
  ],
  [
    'k:f(comm, c=$comm:string)',
    [arg('comm', { kind: 'comm' }), arg('c', { kind: 'comm' }, ty('string'), true)],
    false,
  ],
  [
    'k:f(stack2, $stack5, $stack)',
    [
      arg('stack2', { kind: 'stack', index: 2 }),
      arg('stack5', { kind: 'stack', index: 5 }),
      arg('stack', { kind: 'stack', index: null }),
    ],
    false,
  ],
  ['k:f(stack)', [arg('stack', P('stack'))], false],
  ['k:f(args)', [], true],
  ['k:f($arg*, x=%di)', [arg('x', { kind: 'reg', reg: 'di' }, null, true)], true],
  [
    'k:f(name=+8(arg2):u32, x=+0(+8(filename)):u64)',
    [
      arg(
        'name',
        { kind: 'deref', offset: 8n, user: false, inner: { kind: 'argN', index: 2 } },
        ty('u32'),
        true,
      ),
      arg(
        'x',
        {
          kind: 'deref',
          offset: 0n,
          user: false,
          inner: { kind: 'deref', offset: 8n, user: false, inner: P('filename') },
        },
        ty('u64'),
        true,
      ),
    ],
    false,
  ],
  [
    'k:vfs_read(p=file->f_path.dentry->d_name.name:string)',
    [
      arg(
        'p',
        {
          kind: 'member',
          base: P('file'),
          path: [
            { op: '->', name: 'f_path' },
            { op: '.', name: 'dentry' },
            { op: '->', name: 'd_name' },
            { op: '.', name: 'name' },
          ],
        },
        ty('string'),
        true,
      ),
    ],
    false,
  ],
  [
    'k:vfs_read(file->f_pos)',
    [arg('file_f_pos', { kind: 'member', base: P('file'), path: [{ op: '->', name: 'f_pos' }] })],
    false,
  ],
  [
    'kr:f(e=retval->err)',
    [
      arg(
        'e',
        { kind: 'member', base: { kind: 'retval' }, path: [{ op: '->', name: 'err' }] },
        null,
        true,
      ),
    ],
    false,
  ],
  [
    'k:f(a=%di, b=@jiffies, c=@sym+8, d=@0x1000, e=-8(%sp), f=+u0(%si):ustring, g=\\42, h=\\"str", i=\\-1, j=$stack3, k=@sym-0x10)',
    [
      arg('a', { kind: 'reg', reg: 'di' }, null, true),
      arg('b', { kind: 'sym', symbol: 'jiffies', offset: 0n }, null, true),
      arg('c', { kind: 'sym', symbol: 'sym', offset: 8n }, null, true),
      arg('d', { kind: 'addr', address: 0x1000n }, null, true),
      arg(
        'e',
        { kind: 'deref', offset: -8n, user: false, inner: { kind: 'reg', reg: 'sp' } },
        null,
        true,
      ),
      arg(
        'f',
        { kind: 'deref', offset: 0n, user: true, inner: { kind: 'reg', reg: 'si' } },
        ty('ustring'),
        true,
      ),
      arg('g', { kind: 'imm', value: '42' }, null, true),
      arg('h', { kind: 'imm', value: '"str"' }, null, true),
      arg('i', { kind: 'imm', value: '-1' }, null, true),
      arg('j', { kind: 'stack', index: 3 }, null, true),
      arg('k', { kind: 'sym', symbol: 'sym', offset: -16n }, null, true),
    ],
    false,
  ],
  [
    'u:/bin/sh:main(x=@+0x10:u32)',
    [arg('x', { kind: 'fileoff', offset: 16n }, ty('u32'), true)],
    false,
  ],
  [
    'u:/bin/sh:main(arg1, arg2:u32)',
    [arg('arg1', { kind: 'argN', index: 1 }), arg('arg2', { kind: 'argN', index: 2 }, ty('u32'))],
    false,
  ],
  [
    'k:f(a:b4@3/32, b:u8[16], c:%pd, d:symstr, e:char[4], f:x64, g:s8, h:symbol, i:%pD, j:string[2])',
    [
      arg('a', P('a'), {
        base: 'u32',
        bitfield: { width: 4, offset: 3, container: 32 },
        array: null,
        text: 'b4@3/32',
      }),
      arg('b', P('b'), ty('u8', 'u8[16]', 16)),
      arg('c', P('c'), ty('%pd')),
      arg('d', P('d'), ty('symstr')),
      arg('e', P('e'), ty('char', 'char[4]', 4)),
      arg('f', P('f'), ty('x64')),
      arg('g', P('g'), ty('s8')),
      arg('h', P('h'), ty('symbol')),
      arg('i', P('i'), ty('%pD')),
      arg('j', P('j'), ty('string', 'string[2]', 2)),
    ],
    false,
  ],
  [
    't:sched:sched_switch(prev_comm, next_pid:s32)',
    [arg('prev_comm', P('prev_comm')), arg('next_pid', P('next_pid'), ty('s32'))],
    false,
  ],
  ['t:sched:sched_switch(args)', [], true],
  [
    'k:f+4(x=%di, s=$stack)',
    [
      arg('x', { kind: 'reg', reg: 'di' }, null, true),
      arg('s', { kind: 'stack', index: null }, null, true),
    ],
    false,
  ],
  [`k:f(${'a'.repeat(32)})`, [arg('a'.repeat(32), P('a'.repeat(32)))], false],
];

test(`${ARGS.length} argument lists parse to the expected arguments`, () => {
  for (const [input, args, allArgs] of ARGS) {
    const spec = parseProbe(input);
    assert.deepEqual(strip(spec.args), args, input);
    assert.equal(spec.allArgs, allArgs, input);
  }
});

test('argument spans cover name, fetch and type; type spans cover the type text', () => {
  const text = 'k:f(x=+8(%di):u32, name)';
  const [a, b] = parseProbe(text).args!;
  assert.equal(text.slice(a!.span.start, a!.span.end), 'x=+8(%di):u32');
  assert.equal(text.slice(a!.expr.span.start, a!.expr.span.end), '+8(%di)');
  assert.equal(text.slice(a!.type!.span.start, a!.type!.span.end), 'u32');
  assert.equal(text.slice(b!.span.start, b!.span.end), 'name');
});

test('whitespace around tokens is allowed', () => {
  const spaced = parseProbe('  k:f ( a : u32 ,  x = +8( %di ) :u8 , args )  if  ( a == 1 )  ');
  const tight = parseProbe('k:f(a:u32,x=+8(%di):u8,args) if (a==1)');
  assert.deepEqual(
    strip({ ...spaced, text: '', filterText: '' }),
    strip({ ...tight, text: '', filterText: '' }),
  );
  assert.equal(spaced.filterText, '( a == 1 )');
});

test('filters attach to probes with and without argument lists', () => {
  for (const input of [
    'k:f if a == 1',
    'k:f() if a == 1',
    'k:f(a)if a == 1',
    'k:f if(a == 1)',
    'k:f if !(a == 2)',
  ]) {
    const spec = parseProbe(input);
    assert.notEqual(spec.filter, null, input);
    assert.equal(spec.filterText, input.slice(input.indexOf('if') + 2).trim(), input);
  }
  assert.equal(parseProbe('k:f').filter, null);
  assert.equal(parseProbe('k:f').filterText, null);
});

test('a function named like a keyword is still a target', () => {
  assert.deepEqual(strip(parseProbe('k:if').target), K('if'));
  assert.deepEqual(strip(parseProbe('k:iffy(a)').target), K('iffy'));
});
