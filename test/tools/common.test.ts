/** The tools' shared data and helpers: errno names, syscall tables, patterns, filters, argv arrays. */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { isProbekitError } from '../../src/errors.js';
import { errnoName, isErrnoReturn } from '../../src/tools/common/errno.js';
import { parseFunctionPattern } from '../../src/tools/common/patterns.js';
import { notSelfFilter, withFilter } from '../../src/tools/common/self.js';
import { quoteArg, stringList } from '../../src/tools/common/strings.js';
import { hasSyscallTable, syscallName, syscallNumber } from '../../src/tools/common/syscalls.js';

test("errno names from the library's table, either sign, kernel-internal codes too", () => {
  assert.equal(errnoName(-2), 'ENOENT');
  assert.equal(errnoName(13), 'EACCES');
  assert.equal(errnoName(-11n), 'EAGAIN');
  assert.equal(errnoName(-110), 'ETIMEDOUT');
  assert.equal(errnoName(-133), 'EHWPOISON');
  assert.equal(errnoName(-4000), 'E4000');
  assert.equal(errnoName(-512), 'ERESTARTSYS');
  assert.ok(isErrnoReturn(-1) && isErrnoReturn(-4095));
  assert.ok(!isErrnoReturn(0) && !isErrnoReturn(-4096) && !isErrnoReturn(5));
});

test('syscall tables: x86_64 and arm64 numbers differ, unknown numbers are named by number', () => {
  assert.equal(syscallName('x86_64', 0), 'read');
  assert.equal(syscallName('x86_64', 59), 'execve');
  assert.equal(syscallName('x86_64', 110), 'getppid');
  assert.equal(syscallName('x86_64', 257), 'openat');
  assert.equal(syscallName('x86_64', 437), 'openat2');
  assert.equal(syscallName('arm64', 56), 'openat');
  assert.equal(syscallName('arm64', 221), 'execve');
  assert.equal(syscallName('arm64', 173), 'getppid');
  assert.equal(syscallName('arm64', 79), 'newfstatat');
  assert.equal(syscallName('x86_64', 9999), 'syscall_9999');
  assert.equal(syscallName('mips64', 1), 'syscall_1');
  assert.equal(syscallNumber('x86_64', 'getppid'), 110);
  assert.equal(syscallNumber('riscv64', 'getppid'), null);
  assert.ok(hasSyscallTable('x86_64') && hasSyscallTable('arm64') && !hasSyscallTable(null));
});

test('function patterns: kernel, user, tracepoint; bad ones are usage errors', () => {
  assert.deepEqual(parseFunctionPattern('t', 'vfs_*'), {
    kind: 'kernel',
    text: 'vfs_*',
    func: 'vfs_*',
  });
  assert.deepEqual(parseFunctionPattern('t', 'k:do_sys_openat2'), {
    kind: 'kernel',
    text: 'k:do_sys_openat2',
    func: 'do_sys_openat2',
  });
  assert.deepEqual(parseFunctionPattern('t', 'u:libc:str*'), {
    kind: 'user',
    text: 'u:libc:str*',
    path: 'libc',
    func: 'str*',
  });
  assert.deepEqual(parseFunctionPattern('t', 't:syscalls:sys_enter_*'), {
    kind: 'tracepoint',
    text: 't:syscalls:sys_enter_*',
    group: 'syscalls',
    event: 'sys_enter_*',
  });
  for (const bad of ['x:foo', 'vfs read', 't:onlygroup', 'u:libc:', 'k:']) {
    assert.throws(
      () => parseFunctionPattern('funccount', bad),
      (e: unknown) => isProbekitError(e) && e.exitCode === 2 && e.message.includes(bad),
      bad,
    );
  }
});

test('own threads are filtered out; filters join an existing one', () => {
  assert.equal(notSelfFilter([10, 11]), 'pid != 10 && pid != 11');
  assert.ok(notSelfFilter().includes(`pid != ${process.pid}`));
  assert.equal(withFilter('t:a:b', null), 't:a:b');
  assert.equal(withFilter('t:a:b(x)', 'pid != 1'), 't:a:b(x) if pid != 1');
  assert.equal(withFilter('t:a:b(x) if x > 3', 'pid != 1'), 't:a:b(x) if (x > 3) && pid != 1');
});

test('argv arrays end at the first fault; a full array is marked truncated', () => {
  const F = { fault: true } as const;
  assert.deepEqual(stringList(['ls', '-l', F, 'ENV=1']), { items: ['ls', '-l'], truncated: false });
  assert.deepEqual(stringList(['a', 'b']), { items: ['a', 'b'], truncated: true });
  assert.equal(stringList('x'), null);
  assert.equal(quoteArg('say "hi"'), '"say \\"hi\\""');
});
