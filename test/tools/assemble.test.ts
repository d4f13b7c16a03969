/** execsnoop's and opensnoop's assembly of records from event sequences, and syscount's tally. */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { ArgAggregate } from '../../src/tools/argdist/aggregate.js';
import { ERROR_RETURN_FILTER, errnoOfReturn } from '../../src/tools/errsnoop/errors.js';
import { commOf, ExecAssembler, type ExecInput } from '../../src/tools/execsnoop/assemble.js';
import { OpenAssembler, type OpenInput } from '../../src/tools/opensnoop/assemble.js';
import { SyscallTally } from '../../src/tools/syscount/tally.js';

const F = { fault: true } as const;
const noProc = { cmdline: () => null, ppid: () => null };

function ev(
  role: ExecInput['role'],
  tid: number,
  fields: ExecInput['fields'],
  comm = 'sh',
  ns = 1n,
): ExecInput {
  return { role, tid, tgid: tid, comm, ns, fields };
}

test('execsnoop: libc argv + exec + exit makes one successful record', () => {
  const a = new ExecAssembler(noProc, true);
  assert.equal(a.push(ev('fork', 100, { parent_pid: 100, child_pid: 101 })), null);
  assert.equal(a.push(ev('libc', 101, { filename: '/bin/ls', argv: ['ls', '-l', F] })), null);
  assert.equal(a.push(ev('enter', 101, {})), null);
  assert.equal(
    a.push(ev('exec', 101, { filename: '/usr/bin/ls', pid: 101, old_pid: 101 }, 'ls')),
    null,
  );
  const r = a.push(ev('exit', 101, { ret: 0 }, 'ls'));
  assert.deepEqual(r, {
    ns: 1n,
    comm: 'ls',
    pid: 101,
    ppid: 100,
    ret: 0,
    filename: '/usr/bin/ls',
    argv: ['ls', '-l'],
    argvSource: 'libc',
    truncated: false,
  });
});

test('execsnoop: a failed exec keeps the caller name, file name and errno', () => {
  const a = new ExecAssembler({ cmdline: () => null, ppid: () => 7 }, true);
  a.push(ev('libc', 50, { filename: '/nope', argv: ['/nope', 'x', F] }));
  a.push(ev('enter', 50, {}));
  const r = a.push(ev('exit', 50, { ret: -2 }, 'stale'))!;
  assert.equal(r.ret, -2);
  assert.equal(r.filename, '/nope');
  assert.deepEqual(r.argv, ['/nope', 'x']);
  assert.equal(r.ppid, 7);
  assert.equal(r.comm, 'stale');
});

test('execsnoop: without libc data argv comes from /proc, marked; without anything, the file name', () => {
  const a = new ExecAssembler(
    { cmdline: (p) => (p === 9 ? ['prog', 'arg'] : null), ppid: () => 1 },
    true,
  );
  a.push(ev('enter', 9, {}));
  a.push(ev('exec', 9, { filename: '/opt/prog', pid: 9, old_pid: 9 }));
  const r = a.push(ev('exit', 9, { ret: 0 }))!;
  assert.equal(r.argvSource, 'proc');
  assert.deepEqual(r.argv, ['prog', 'arg']);
  assert.equal(r.comm, 'prog');
  const b = new ExecAssembler(noProc, false);
  const r2 = b.push(
    ev('exec', 9, { filename: '/opt/a-very-long-program-name', pid: 9, old_pid: 9 }),
  )!;
  assert.deepEqual(r2.argv, ['/opt/a-very-long-program-name']);
  assert.equal(r2.argvSource, 'none');
  assert.equal(r2.comm, 'a-very-long-pro');
  assert.equal(commOf('/x/y'), 'y');
});

test('execsnoop: an exec from a non-leader thread is completed under the new pid', () => {
  const a = new ExecAssembler(noProc, true);
  a.push(ev('libc', 201, { filename: '/bin/true', argv: ['true', F] }));
  a.push(ev('enter', 201, {}));
  a.push(ev('exec', 200, { filename: '/bin/true', pid: 200, old_pid: 201 }));
  const r = a.push({
    role: 'exit',
    tid: 200,
    tgid: 200,
    comm: 'true',
    ns: 5n,
    fields: { ret: 0 },
  })!;
  assert.equal(r.pid, 200);
  assert.deepEqual(r.argv, ['true']);
});

function oev(
  role: OpenInput['role'],
  name: string,
  fields: OpenInput['fields'],
  tid = 5,
): OpenInput {
  return { role, name, tid, tgid: tid, comm: 'cat', ns: 1n, fields };
}

test('opensnoop: a libc path joins the next open syscall when the flags agree', () => {
  const a = new OpenAssembler();
  a.push(oev('libc', 'open', { path: '/etc/passwd', flags: 0x80000 }));
  a.push(oev('enter', 'openat', { flags: 0x80000 }));
  assert.deepEqual(a.push(oev('exit', 'openat', { ret: 3 })), {
    ns: 1n,
    pid: 5,
    tid: 5,
    comm: 'cat',
    syscall: 'openat',
    fd: 3,
    err: 0,
    flags: 0x80000,
    path: '/etc/passwd',
  });
  a.push(oev('libc', 'open', { path: '/a', flags: 1 }));
  a.push(oev('enter', 'openat', { flags: 0 }));
  const r = a.push(oev('exit', 'openat', { ret: -13 }))!;
  assert.equal(r.path, null);
  assert.equal(r.fd, -1);
  assert.equal(r.err, 13);
  // The stale libc path was consumed: the next syscall has no path.
  a.push(oev('enter', 'openat2', { __syscall_nr: 437 }));
  const r2 = a.push(oev('exit', 'openat2', { ret: 4 }))!;
  assert.equal(r2.path, null);
  assert.equal(r2.flags, null);
  // An exit without its enter is ignored.
  assert.equal(a.push(oev('exit', 'open', { ret: 3 }, 77)), null);
});

test('opensnoop: a kprobe path arriving after sys_enter joins the open in progress', () => {
  const a = new OpenAssembler();
  a.push(oev('enter', 'openat', { flags: 0 }));
  a.push(oev('kpath', 'openat', { path: '/static/path' }));
  assert.equal(a.push(oev('exit', 'openat', { ret: -2 }))!.path, '/static/path');
  // Before sys_enter (other orders), it waits like a libc path.
  a.push(oev('kpath', 'open', { path: '/early' }));
  a.push(oev('enter', 'open', { flags: 0 }));
  assert.equal(a.push(oev('exit', 'open', { ret: 3 }))!.path, '/early');
});

test('execsnoop: kprobe events count as the argv source when the kprobe path is used', () => {
  const a = new ExecAssembler(noProc, true, 'kprobe');
  a.push(ev('enter', 300, {}));
  a.push(ev('libc', 300, { filename: '/sbin/static', argv: ['static', 'x', F] }));
  const r = a.push(ev('exit', 300, { ret: -13 }))!;
  assert.equal(r.argvSource, 'kprobe');
  assert.deepEqual(r.argv, ['static', 'x']);
  assert.equal(r.filename, '/sbin/static');
});

test('syscount tally: by name, by process, failures by error name, latency', () => {
  const t = new SyscallTally({
    arch: 'x86_64',
    byProcess: false,
    failedOnly: false,
    latency: true,
  });
  t.enter(1, 110, 100n);
  t.exit({ tid: 1, tgid: 1, comm: 'a', id: 110, ret: 5, ns: 150n });
  t.enter(1, 0, 200n);
  t.exit({ tid: 1, tgid: 1, comm: 'a', id: 0, ret: 10, ns: 400n });
  t.enter(1, 0, 500n);
  t.exit({ tid: 1, tgid: 1, comm: 'a', id: 0, ret: 10, ns: 600n });
  const rows = t.rows();
  assert.deepEqual(
    rows.map((r) => [r.name, r.count, r.totalNs]),
    [
      ['read', 2, 300n],
      ['getppid', 1, 50n],
    ],
  );
  const x = new SyscallTally({ arch: 'x86_64', byProcess: true, failedOnly: true, latency: false });
  x.exit({ tid: 3, tgid: 2, comm: 'b', id: 257, ret: -2, ns: 1n });
  x.exit({ tid: 3, tgid: 2, comm: 'b', id: 257, ret: -2, ns: 2n });
  x.exit({ tid: 3, tgid: 2, comm: 'b', id: 257, ret: 3, ns: 3n });
  x.exit({ tid: 3, tgid: 2, comm: 'b', id: 0, ret: -11, ns: 4n });
  assert.deepEqual(
    x.rows(undefined, true).map((r) => [r.pid, r.comm, r.errno, r.count]),
    [
      [2, 'b', 'ENOENT', 2],
      [2, 'b', 'EAGAIN', 1],
    ],
  );
  assert.deepEqual(x.rows(), []);
});

test('errsnoop: -errno in a long or zero-extended int is an error; pointers are not', () => {
  assert.equal(errnoOfReturn(-2n), 2);
  assert.equal(errnoOfReturn(0xfffffffen), 2);
  assert.equal(errnoOfReturn(0xfffff001n), 4095);
  assert.equal(errnoOfReturn(0), null);
  assert.equal(errnoOfReturn(-4096), null);
  assert.equal(errnoOfReturn(-0x7777000000000000n), null);
  assert.equal(errnoOfReturn(0xfffff000n), null);
  assert.match(ERROR_RETURN_FILTER, /retval >= -4095/);
});

test('argdist aggregate: counts of value tuples and a histogram of the first value', () => {
  const c = new ArgAggregate('count', 'x');
  c.add({ a: 1, s: 'hi' });
  c.add({ a: 1, s: 'hi' });
  c.add({ a: 2n, s: { fault: true } });
  assert.deepEqual(c.rows(), [
    { key: 'a = 1, s = "hi"', count: 2 },
    { key: 'a = 2, s = <fault>', count: 1 },
  ]);
  assert.deepEqual(c.rows(1), [{ key: 'a = 1, s = "hi"', count: 2 }]);
  const h = new ArgAggregate('hist', 'y');
  for (const v of [1, 3, 3, 1000n, -5]) h.add({ size: v });
  h.add({ size: 'str' });
  assert.equal(h.field, 'size');
  assert.equal(h.hist.total, 5);
  assert.equal(h.skipped, 1);
  assert.deepEqual(h.hist.buckets.slice(0, 2), [2, 2]);
  assert.equal(h.hist.buckets[9], 1);
});
