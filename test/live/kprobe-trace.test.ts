/**
 * probekit trace with kprobes and kretprobes on a real kernel. This machine's
 * kernel has none: these run in the QEMU lane (Debian 6.1 and 6.12) and skip here.
 */
import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { jsonLines, runCli, startCli, waitFor } from '../helpers/cli.js';
import { leftoversOf, tracefsRoot, whyNoTracing } from '../helpers/live.js';

const skip = whyNoTracing(['kprobes']);
/** A command that fails to open a missing file `n` times. */
const openMissing = (n: number, path = '/nonexistent/probekit-test') =>
  `for i in $(seq ${n}); do cat ${path} 2>/dev/null; done; true`;

test('kprobe entry arguments by register: dfd and the file name as a user string', {
  skip: skip ?? false,
}, async () => {
  const r = await runCli([
    'trace',
    'k:do_sys_openat2(dfd:s32, filename:ustring) if filename ~ "/nonexistent/*"',
    '--json',
    '-c',
    openMissing(3),
  ]);
  assert.equal(r.code, 0, r.stderr);
  const events = jsonLines(r.stdout).filter((e) => e['type'] === 'event');
  assert.equal(events.length, 3, r.stdout);
  for (const e of events)
    assert.deepEqual(e['fields'], { dfd: -100, filename: '/nonexistent/probekit-test' });
  assert.ok(events.every((e) => e['comm'] === 'cat'));
});

test('a kretprobe sees the negative errno, and calls pair into latencies', {
  skip: skip ?? false,
}, async () => {
  const r = await runCli([
    'trace',
    'k:do_sys_openat2(filename:ustring) if filename ~ "/nonexistent/*"',
    'kr:do_sys_openat2(retval:s64)',
    '--latency',
    '--json',
    '-c',
    openMissing(2),
  ]);
  assert.equal(r.code, 0, r.stderr);
  const calls = jsonLines(r.stdout).filter((e) => e['type'] === 'call');
  const missing = calls.filter(
    (c) => (c['args'] as Record<string, string>)['filename'] === '"/nonexistent/probekit-test"',
  );
  assert.equal(missing.length, 2, r.stdout);
  for (const c of missing) {
    assert.equal(c['retval'], '-2');
    assert.ok(Number(c['latency_ns']) > 0 && Number(c['latency_ns']) < 1e9);
  }
});

test('trace -c stops when the command exits and removes everything', {
  skip: skip ?? false,
}, async () => {
  const r = await runCli(['trace', 'kr:do_sys_openat2(retval:s64)', '-c', 'true']);
  assert.equal(r.code, 0, r.stderr);
  assert.match(r.stderr, /1 probes removed/);
});

test('a blacklisted function is refused before anything is written, with the reason', {
  skip: skip ?? false,
}, async (t) => {
  const debug = ['/sys/kernel/debug/kprobes/blacklist'].find((p) => existsSync(p));
  if (!debug) return t.skip('needs debugfs with kprobes/blacklist mounted');
  const entry = readFileSync(debug, 'utf8')
    .split('\n')
    .map((l) => l.split('\t')[1])
    .find((name) => name && /^[a-z_][a-z0-9_]*$/.test(name));
  assert.ok(entry, 'the blacklist has a plain function name');
  const r = await runCli(['trace', `k:${entry}`]);
  assert.equal(r.code, 1, r.stderr);
  assert.match(r.stderr, /blacklist/i);
  assert.match(r.stderr, new RegExp(entry));
});

test('an unknown function gets near names; a non-unique one lists its copies', {
  skip: skip ?? false,
}, async () => {
  const unknown = await runCli(['trace', 'k:do_sys_opnat2']);
  assert.equal(unknown.code, 1, unknown.stderr);
  assert.match(unknown.stderr, /do_sys_openat2/);
  // A static function name that appears more than once in kallsyms.
  const counts = new Map<string, number>();
  for (const line of readFileSync('/proc/kallsyms', 'utf8').split('\n')) {
    const [, type, name, mod] = line.split(/\s+/);
    if (type === 't' && name && !mod && /^[a-z_][a-z0-9_]*$/.test(name))
      counts.set(name, (counts.get(name) ?? 0) + 1);
  }
  const dup = [...counts].find(([, n]) => n > 1)?.[0];
  assert.ok(dup, 'kallsyms has a duplicated static function');
  const r = await runCli(['trace', `k:${dup}`]);
  assert.equal(r.code, 1, r.stderr);
  assert.match(r.stderr, /not unique|copies|several/i);
});

test('maxactive on a raw kretprobe line is written as given', { skip: skip ?? false }, async () => {
  const r = await runCli(['trace', 'r16:mine/openret do_sys_openat2 ret=$retval:s64', '--dry-run']);
  assert.equal(r.code, 0, r.stderr);
  assert.match(
    r.stdout,
    /append to kprobe_events: r16:probekit_\d+_[0-9a-f]+\/openret do_sys_openat2 ret=\$retval:s64/,
  );
  const run = await runCli([
    'trace',
    'r16:mine/openret do_sys_openat2 ret=$retval:s64',
    '--json',
    '-c',
    openMissing(1),
  ]);
  assert.equal(run.code, 0, run.stderr);
  assert.ok(
    jsonLines(run.stdout).some(
      (e) => e['type'] === 'event' && (e['fields'] as Record<string, unknown>)['ret'] === -2,
    ),
  );
});

test('Ctrl-C and kill -9 + cleanup leave no kprobe behind', { skip: skip ?? false }, async () => {
  const a = startCli(['trace', '--backend', 'tracefs', 'k:do_sys_openat2(dfd:s32)', '-d', '60']);
  await waitFor(() => leftoversOf(`probekit_${a.child.pid}_`).length >= 2, 20_000, 'probes');
  a.child.kill('SIGINT');
  const ra = await a.done;
  assert.equal(ra.code, 0, ra.stderr);
  assert.deepEqual(leftoversOf(`probekit_${a.child.pid}_`), []);

  const b = startCli([
    'trace',
    '--backend',
    'tracefs',
    'k:do_sys_openat2(dfd:s32)',
    'kr:do_sys_openat2',
    '-d',
    '60',
  ]);
  await waitFor(() => leftoversOf(`probekit_${b.child.pid}_`).length >= 3, 20_000, 'probes');
  b.child.kill('SIGKILL');
  await b.done;
  assert.ok(leftoversOf(`probekit_${b.child.pid}_`).length >= 3);
  const c = await runCli(['cleanup']);
  assert.equal(c.code, 0, c.stderr);
  assert.deepEqual(leftoversOf(`probekit_${b.child.pid}_`), []);
  assert.ok(!existsSync(join(tracefsRoot()!, 'instances', `probekit_${b.child.pid}`)));
});

test('probekit doctor on this kernel says kprobes are there', { skip: skip ?? false }, async () => {
  const r = await runCli(['doctor'], { timeoutMs: 120_000 });
  assert.equal(r.code, 0, r.stderr);
  assert.match(r.stdout, /✓\s+kprobes/);
  assert.match(r.stdout, /✓\s+kretprobes/);
});
