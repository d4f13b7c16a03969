/**
 * The BPF backend on kprobes and kretprobes (runs in the QEMU lane: this
 * machine's kernel has no kprobes): arguments from pt_regs, a user string,
 * a BTF member path read through kernel pointers, return values with errno
 * names, the probed address from bpf_get_func_ip, and nothing left behind.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { whyNoBpf as bpfUnavailableWhy } from '../../src/bpf/availability.js';
import { jsonLines, runCli } from '../helpers/cli.js';
import { probekitLeftovers, whyNoTracing } from '../helpers/live.js';

const skip =
  whyNoTracing(['kprobes']) ??
  (bpfUnavailableWhy({ ringbuf: true })
    ? `needs BPF: ${bpfUnavailableWhy({ ringbuf: true })}`
    : null);

function fields(e: Record<string, unknown>): Record<string, unknown> {
  return e['fields'] as Record<string, unknown>;
}

test('BPF kprobe + kretprobe: a user string argument, return values and errno names', {
  skip: skip ?? false,
}, async () => {
  const r = await runCli(
    [
      'trace',
      '--backend',
      'bpf',
      'k:do_sys_openat2(dfd:s32, filename:ustring)',
      'kr:do_sys_openat2(retval:s64)',
      '--json',
      '-c',
      'cat /etc/hostname /nonexistent-probekit 2>/dev/null; true',
    ],
    { timeoutMs: 120_000 },
  );
  assert.equal(r.code, 0, r.stderr);
  const lines = jsonLines(r.stdout);
  assert.equal(lines.at(-1)!['backend'], 'bpf');
  const events = lines.filter((e) => e['type'] === 'event' && e['comm'] === 'cat');
  const entries = events.filter((e) => String(e['event']).startsWith('p_'));
  const names = entries.map((e) => fields(e)['filename']);
  assert.ok(names.includes('/etc/hostname'), JSON.stringify(names));
  assert.ok(names.includes('/nonexistent-probekit'), JSON.stringify(names));
  assert.ok(entries.every((e) => fields(e)['dfd'] === -100));
  assert.ok(
    entries.every((e) => typeof e['ip'] === 'string' && BigInt(String(e['ip'])) > 0n),
    'the probed address from bpf_get_func_ip',
  );
  const returns = events.filter((e) => String(e['event']).startsWith('r_'));
  assert.ok(
    returns.some((e) => fields(e)['retval'] === -2 && e['retval_errno'] === 'ENOENT'),
    JSON.stringify(returns.map((e) => [fields(e)['retval'], e['retval_errno']])),
  );
  assert.ok(returns.every((e) => typeof e['ret_ip'] === 'string'));
  assert.deepEqual(probekitLeftovers(), []);
});

test('BPF kprobe: a BTF member path read through kernel pointers, filtered in the kernel', {
  skip: skip ?? false,
}, async () => {
  // A file of our own: the lane's guest has no /etc/hostname to read.
  const dir = mkdtempSync(join(tmpdir(), 'probekit-btf-'));
  const base = `pk-member-${process.pid}`;
  writeFileSync(join(dir, base), 'some bytes to read\n');
  try {
    const r = await runCli(
      [
        'trace',
        '--backend',
        'bpf',
        `k:vfs_read(name=file->f_path.dentry->d_name.name:string, count) if name == "${base}"`,
        '--json',
        '-c',
        `cat ${join(dir, base)} >/dev/null`,
      ],
      { timeoutMs: 120_000 },
    );
    assert.equal(r.code, 0, r.stderr);
    const events = jsonLines(r.stdout).filter((e) => e['type'] === 'event');
    assert.ok(events.length >= 1, r.stdout);
    assert.ok(events.every((e) => fields(e)['name'] === base && e['comm'] === 'cat'));
    assert.ok(events.every((e) => Number(fields(e)['count']) > 0));
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
  assert.deepEqual(probekitLeftovers(), []);
});
