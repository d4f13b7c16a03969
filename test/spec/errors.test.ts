import assert from 'node:assert/strict';
import { test } from 'node:test';
import { parseProbe, SPEC_ERROR_CODES } from '../../src/spec/index.js';
import { assertSpecError, catchSpecError } from './helpers.js';

/** [input, code, caret column, exact message] */
const MALFORMED: readonly (readonly [string, string, number, string])[] = [
  ['', 'E_SPEC_SYNTAX', 0, 'empty probe spec'],
  ['x:foo', 'E_SPEC_KIND', 0, "unknown probe kind 'x'"],
  ['vfs_read', 'E_SPEC_KIND', 0, "missing probe kind before 'vfs_read'"],
  ['kprobe vfs_read', 'E_SPEC_KIND', 6, "missing ':' after 'kprobe'"],
  [':foo', 'E_SPEC_KIND', 0, 'missing probe kind'],
  ['rabc vfs_read', 'E_SPEC_KIND', 0, "missing probe kind before 'rabc'"],
  ['k:', 'E_SPEC_TARGET', 2, "missing function name after 'k:'"],
  ['k:vfs_read+', 'E_SPEC_TARGET', 10, "missing offset after '+'"],
  ['k:vfs_read+zz', 'E_SPEC_TARGET', 11, "bad offset 'zz'"],
  ['k:vfs_read+0x100000000', 'E_SPEC_TARGET', 11, "offset '0x100000000' is too big"],
  ['kr:vfs_read+4', 'E_SPEC_TARGET', 11, 'a return probe takes no offset'],
  ['k:vfs_read-4', 'E_SPEC_TARGET', 10, "unexpected '-' in function name 'vfs_read-4'"],
  ['k:0xffff+4', 'E_SPEC_TARGET', 8, 'an address takes no offset'],
  ['k:0xzz', 'E_SPEC_TARGET', 2, "bad address '0xzz'"],
  ['k::f', 'E_SPEC_TARGET', 2, "missing module name before ':'"],
  ['k:ext4:', 'E_SPEC_TARGET', 7, "missing function name after 'ext4:'"],
  ['k:a:b:c', 'E_SPEC_TARGET', 5, "too many ':' in 'a:b:c'"],
  ['t:sched', 'E_SPEC_TARGET', 7, "missing event name after 'sched'"],
  ['t::x', 'E_SPEC_TARGET', 2, "missing group name before ':'"],
  ['u:/bin/bash', 'E_SPEC_TARGET', 11, "missing symbol after the path '/bin/bash'"],
  ['u::main', 'E_SPEC_TARGET', 2, "missing path before ':'"],
  ['u:/bin/sh:0xzz', 'E_SPEC_TARGET', 10, "bad file offset '0xzz'"],
  ['ur:/bin/sh:main+4', 'E_SPEC_TARGET', 15, 'a return probe takes no offset'],
  ['k:do_sys_open(dfd', 'E_SPEC_ARG', 13, "unclosed '('"],
  ['k:f(a,,b)', 'E_SPEC_ARG', 6, 'empty argument'],
  ['k:f(a,)', 'E_SPEC_ARG', 6, 'empty argument'],
  ['k:f(a b)', 'E_SPEC_ARG', 6, "expected ',' or ')' after the argument, found 'b'"],
  ['k:f(a:u33)', 'E_SPEC_TYPE', 6, "unknown type 'u33'"],
  ['k:f(a:)', 'E_SPEC_TYPE', 6, "missing type after ':'"],
  [
    'k:f(a:b9@0/8)',
    'E_SPEC_TYPE',
    6,
    "bitfield 'b9@0/8' does not fit: 9 bits at bit 0 need more than 8 bits",
  ],
  [
    'k:f(a:b4@5/8)',
    'E_SPEC_TYPE',
    6,
    "bitfield 'b4@5/8' does not fit: 4 bits at bit 5 need more than 8 bits",
  ],
  ['k:f(a:b0@0/8)', 'E_SPEC_TYPE', 7, 'bitfield width must be at least 1'],
  ['k:f(a:b4@0/12)', 'E_SPEC_TYPE', 11, 'bitfield container must be 8, 16, 32 or 64, not 12'],
  ['k:f(a:b4@)', 'E_SPEC_TYPE', 6, "bad bitfield 'b4@'"],
  ['k:f(a:u8[65])', 'E_SPEC_TYPE', 9, 'array of 65 elements is too big'],
  ['k:f(a:u8[0])', 'E_SPEC_TYPE', 9, 'array size must be at least 1'],
  ['k:f(a:u8[4)', 'E_SPEC_TYPE', 8, "unclosed '[' in array type"],
  ['k:f(a:u8[])', 'E_SPEC_TYPE', 9, 'missing array size'],
  ['k:f(c=$comm:u32)', 'E_SPEC_TYPE', 12, "$comm needs the string type, not 'u32'"],
  ['u:/bin/sh:main(x=%ax:symbol)', 'E_SPEC_TYPE', 21, "type 'symbol' is only for kernel probes"],
  ['k:f(retval)', 'E_SPEC_ARG', 4, "'retval' is only available in return probes"],
  ['u:/bin/sh:main(x=$retval)', 'E_SPEC_ARG', 17, "'$retval' is only available in return probes"],
  ['t:sched:sched_switch(retval)', 'E_SPEC_ARG', 21, "'retval' is only available in return probes"],
  ['k:f($arg0)', 'E_SPEC_ARG', 4, 'argument numbers start at 1'],
  ['k:f(x=+0(%di, y=%si)', 'E_SPEC_ARG', 8, "unclosed '(' in dereference"],
  ['k:f(x=+0(+8(%di), y=%si)', 'E_SPEC_ARG', 8, "unclosed '(' in dereference"],
  ['k:f(x=+0(%di]))', 'E_SPEC_ARG', 12, "unexpected ']' in dereference"],
  ['k:f(x=+abc(%di))', 'E_SPEC_ARG', 7, "bad dereference offset 'abc'"],
  ['k:f(x=+8)', 'E_SPEC_ARG', 8, "a dereference needs '(' after the offset"],
  ['k:f(x=8(%di))', 'E_SPEC_ARG', 6, "a dereference starts with '+' or '-'"],
  ['k:f(x=42)', 'E_SPEC_ARG', 6, "a bare number '42' is not a fetch argument"],
  ['k:f(x=\\)', 'E_SPEC_ARG', 6, "missing immediate value after '\\'"],
  ['k:f(x=\\"abc)', 'E_SPEC_ARG', 7, 'unterminated immediate string'],
  ['k:f(x=\\"a b")', 'E_SPEC_ARG', 9, 'an immediate string cannot contain spaces'],
  ['k:f(x=%)', 'E_SPEC_ARG', 6, "missing register name after '%'"],
  ['k:f(x=@)', 'E_SPEC_ARG', 6, "missing address or symbol after '@'"],
  ['k:f(x=@+10)', 'E_SPEC_ARG', 6, "'@+OFFSET' (a file offset) is only available in uprobes"],
  [
    'u:/bin/sh:main(x=@jiffies)',
    'E_SPEC_ARG',
    17,
    "'@SYMBOL' reads kernel memory and is not available in uprobes",
  ],
  ['k:f(x=$foo)', 'E_SPEC_ARG', 6, "unknown variable '$foo'"],
  ['k:f(x=+0($comm))', 'E_SPEC_ARG', 9, '$comm cannot be dereferenced'],
  ['k:f(a, a)', 'E_SPEC_ARG', 7, "argument name 'a' is used twice"],
  ['k:f(x=%di, x=%si)', 'E_SPEC_ARG', 11, "argument name 'x' is used twice"],
  ['k:f(1abc=%di)', 'E_SPEC_ARG', 4, "argument name '1abc' is not a C identifier"],
  ['k:f(common_pid=%di)', 'E_SPEC_ARG', 4, "argument name 'common_pid' is reserved"],
  ['k:f(__probe_ip=%di)', 'E_SPEC_ARG', 4, "argument name '__probe_ip' is reserved"],
  [
    `k:f(${'a'.repeat(33)}=%di)`,
    'E_SPEC_ARG',
    4,
    "argument name 'aaaaaaaaaaaaaaaaaaaaaaaaaaaaa...' is longer than 32 characters",
  ],
  ['k:f(=%di)', 'E_SPEC_ARG', 4, "missing argument name before '='"],
  ['k:f(%di)', 'E_SPEC_ARG', 4, "name this argument: '%di' has no name"],
  ['k:f(args, args)', 'E_SPEC_ARG', 10, "'args' is given twice"],
  ['k:f(args:u32)', 'E_SPEC_ARG', 8, "'args' takes no type"],
  ['k:f(x=$arg*)', 'E_SPEC_ARG', 6, "'$arg*' must stand alone in the argument list"],
  ['k:f+4(arg1)', 'E_SPEC_ARG', 6, "function argument 'arg1' is only known at the function entry"],
  ['k:f(file-f_path)', 'E_SPEC_ARG', 8, "a single '-' in a member path"],
  ['k:f(file->)', 'E_SPEC_ARG', 8, "missing member name after '->'"],
  ['t:sched:sched_switch(x=%di)', 'E_SPEC_ARG', 23, 'tracepoint arguments are field names'],
  ['k:f extra', 'E_SPEC_SYNTAX', 4, "unexpected 'extra' after the probe"],
  ['k:f(a) (b)', 'E_SPEC_SYNTAX', 7, "unexpected '(b)' after the probe"],
  ['k:f if', 'E_SPEC_FILTER', 6, "missing filter after 'if'"],
  ['k:f if a ==', 'E_SPEC_FILTER', 11, "missing value after '=='"],
  ['k:f if a ~ "abc', 'E_SPEC_FILTER', 11, 'unterminated string'],
  ['k:f if a ~ 5', 'E_SPEC_FILTER', 11, "'~' needs a string glob"],
  ['k:f if a < "x"', 'E_SPEC_FILTER', 11, "'<' needs a number"],
  ['k:f if == 1', 'E_SPEC_FILTER', 7, "expected a field name, found '=='"],
  ['k:f if a', 'E_SPEC_FILTER', 8, "missing comparison operator after 'a'"],
  ['k:f if a = 1', 'E_SPEC_FILTER', 9, "'=' is not an operator; did you mean '=='?"],
  ['k:f if (a == 1', 'E_SPEC_FILTER', 7, "unclosed '(' in filter"],
  ['k:f if a == 1 &&', 'E_SPEC_FILTER', 14, "missing condition after '&&'"],
  ['k:f if a == 1 b == 2', 'E_SPEC_FILTER', 14, "unexpected 'b' in filter"],
  ['k:f if a == 1)', 'E_SPEC_FILTER', 13, "unmatched ')' in filter"],
  [
    'k:f if a == abc',
    'E_SPEC_FILTER',
    12,
    `expected a number or a "string" after '==', found 'abc'`,
  ],
  ['k:f if a == 12ab', 'E_SPEC_FILTER', 12, "bad number '12ab'"],
  // raw kernel lines
  ['p5 vfs_read', 'E_SPEC_RAW', 1, 'maxactive is only for function exit'],
  ['r0 vfs_read', 'E_SPEC_RAW', 1, "invalid maxactive number '0'"],
  ['r5000 vfs_read', 'E_SPEC_RAW', 1, "maxactive '5000' is too big"],
  ['r5 /bin/sh:0x10', 'E_SPEC_RAW', 1, 'maxactive is only for kernel return probes'],
  ['-:probekit/x', 'E_SPEC_RAW', 0, "removal lines ('-:') are not accepted"],
  ['p:grp/ev', 'E_SPEC_RAW', 8, 'missing probe place'],
  ['p:9bad vfs_read', 'E_SPEC_RAW', 2, "event name '9bad' must be a C identifier"],
  ['p:g.e vfs_read', 'E_SPEC_RAW', 3, "unexpected '.' in event name 'g.e'"],
  ['p vfs_read x=%di # hi', 'E_SPEC_RAW', 17, "'#' starts a comment in tracefs"],
  ['p:0xffff %di', 'E_SPEC_RAW', 2, 'a probe on an address or file offset needs an event name'],
  ['p vfs_read%retrun', 'E_SPEC_TARGET', 10, "bad place suffix '%retrun'"],
  ['p vfs_read-4', 'E_SPEC_TARGET', 10, 'negative offsets are not allowed'],
  ['r vfs_read+4', 'E_SPEC_TARGET', 10, 'a return probe must be at the function entry'],
  ['p /bin/sh:abc', 'E_SPEC_TARGET', 10, "bad uprobe offset 'abc'"],
  ['p /bin/sh:0x10(0x20', 'E_SPEC_TARGET', 14, 'reference counter brace is not closed'],
  ['p vfs_read $retval', 'E_SPEC_ARG', 11, "'$retval' is only available in return probes"],
  ['p /bin/sh:0x10 x=$arg1', 'E_SPEC_ARG', 17, "'$arg1' is not available in uprobes"],
  ['p vfs_read x=', 'E_SPEC_ARG', 13, "missing fetch argument after 'x='"],
  ['p vfs_read x=%di:string', 'E_SPEC_TYPE', 17, "type 'string' needs a memory fetch"],
  ['p vfs_read x=$stack:u8[4]', 'E_SPEC_TYPE', 20, 'an array needs a memory fetch'],
  ['p vfs_read $arg* $arg*', 'E_SPEC_ARG', 17, "'$arg*' is given twice"],
  [
    'p vfs_read+8 $arg1',
    'E_SPEC_ARG',
    13,
    "function argument '$arg1' is only known at the function entry",
  ],
  [
    `p vfs_read x=${'a'.repeat(64)}`,
    'E_SPEC_ARG',
    13,
    'argument expression is too long (64 characters)',
  ],
  [
    `p vfs_read a=${'+0('.repeat(13)}%di${')'.repeat(13)}`,
    'E_SPEC_ARG',
    49,
    'dereferences nest too deeply',
  ],
];

test(`${MALFORMED.length} malformed specs fail with the exact code, caret column and message`, () => {
  assert.ok(MALFORMED.length >= 45);
  for (const [input, code, column, message] of MALFORMED) {
    assertSpecError(input, code, column, message);
    assert.ok(Object.hasOwn(SPEC_ERROR_CODES, code));
  }
});

test('every code in the table is used by some malformed spec', () => {
  const used = new Set(MALFORMED.map((m) => m[1]));
  assert.deepEqual([...used].sort(), Object.keys(SPEC_ERROR_CODES).sort());
});

test('the message quotes the input with a caret under the bad spot and a hint', () => {
  const e = assertSpecError('k:f(a:u33)', 'E_SPEC_TYPE', 6, "unknown type 'u33'");
  assert.equal(
    e.format(),
    [
      "unknown type 'u33'",
      '  k:f(a:u33)',
      '        ^~~',
      '  hint: types are u8..u64, s8..s64, x8..x64, char, string, ustring, symbol, symstr, %pd, %pD, b<width>@<offset>/<container>, TYPE[N]',
    ].join('\n'),
  );
  assert.equal(e.exitCode, 2);
});

test('hints name the way out', () => {
  const cases: [string, string][] = [
    [
      'x:foo',
      'kinds are kprobe (k:), kretprobe (kr:), uprobe (u:), uretprobe (ur:), tracepoint (t:), or a raw kernel line starting with p or r',
    ],
    ['k:f(retval)', 'use kr:/ur: to read the return value'],
    ['k:f($arg0)', 'the first argument is $arg1 (or arg1)'],
    ['kr:vfs_read+4', "return probes attach at the function entry; drop '+4'"],
    ['k:f(x=+0(%di, y=%si)', "close the dereference with ')'"],
    [
      '-:probekit/x',
      'probekit removes the probes it creates; run probekit cleanup to remove leftovers',
    ],
    ['r0 vfs_read', 'maxactive is 1 to 4096; leave it out for the default'],
    ['k:f(x=8(%di))', 'write +8(...) to read memory at offset 8'],
    ['p vfs_read x=%di:string', 'read the string the value points to: +0(%di):string'],
  ];
  for (const [input, hint] of cases) {
    assert.equal(catchSpecError(() => parseProbe(input)).hint, hint, input);
  }
});

test('the caret underlines the whole bad token', () => {
  assert.equal(catchSpecError(() => parseProbe('k:f(a:u33)')).length, 3);
  assert.equal(catchSpecError(() => parseProbe('kr:vfs_read+4')).length, 2);
  assert.equal(catchSpecError(() => parseProbe('x:foo')).length, 1);
  assert.equal(catchSpecError(() => parseProbe('k:f(x=$foo)')).length, 4);
});

test('a register spelled the assembler way is left to the planner', () => {
  const spec = parseProbe('k:f(x=%rdi)');
  assert.deepEqual(spec.args?.[0]?.expr, { kind: 'reg', reg: 'rdi', span: { start: 6, end: 10 } });
});

test('an over-long line and a non-string are refused with a SpecError', () => {
  const e = catchSpecError(() => parseProbe(`k:${'a'.repeat(5000)}`));
  assert.equal(e.code, 'E_SPEC_SYNTAX');
  assert.equal(e.message, 'probe spec is too long (5002 characters)');
  assert.equal(catchSpecError(() => parseProbe(42 as unknown as string)).code, 'E_SPEC_SYNTAX');
});
