// `probekit doctor` and `probekit list` run as a user would, on the running kernel.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { CLI, tracefsRoot, whyNoTracing } from '../helpers/live.js';

function probekit(...args: string[]) {
  const r = spawnSync(process.execPath, [CLI, ...args], { encoding: 'utf8', timeout: 60_000 });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

let doctorJsonRun: ReturnType<typeof probekit> | undefined;
/** `probekit doctor --json`, run once for the tests that read it (each run is 2-4 s in a guest). */
function doctorJson() {
  doctorJsonRun ??= probekit('doctor', '--json');
  return doctorJsonRun;
}

const hasKprobes = () => existsSync(join(tracefsRoot() ?? '/nonexistent', 'kprobe_events'));

test('probekit doctor: a table, exit 0, and a kprobes line that says CONFIG_KPROBES when they are missing', (t) => {
  const why = whyNoTracing();
  if (why) return t.skip(why);
  const r = probekit('doctor');
  assert.equal(r.code, 0, r.stderr);
  assert.match(r.stdout, /✓ tracefs +\//);
  assert.match(r.stdout, /✓ uprobes/);
  assert.match(r.stdout, /✓ tracepoints/);
  const line = r.stdout.split('\n').find((l) => /[✓✗] kprobes /.test(l)) ?? '';
  if (hasKprobes()) assert.match(line, /✓ kprobes/);
  else {
    assert.match(line, /✗ kprobes +this kernel was built without CONFIG_KPROBES/);
    assert.match(r.stdout, /→ use tracepoints .* or uprobes/);
  }
});

test('probekit doctor --json: every check with ok/detail/remedy', (t) => {
  const why = whyNoTracing();
  if (why) return t.skip(why);
  const r = doctorJson();
  assert.equal(r.code, 0, r.stderr);
  const doc = JSON.parse(r.stdout) as {
    checks: { key: string; ok: boolean; remedy: string | null }[];
    tracefs: { path: string };
  };
  assert.equal(doc.tracefs.path, tracefsRoot());
  const kprobes = doc.checks.find((c) => c.key === 'kprobes');
  assert.equal(kprobes?.ok, hasKprobes());
  for (const c of doc.checks) assert.equal(c.remedy === null, c.ok, c.key);
});

test('probekit doctor --json as root: BPF works (bpf(), tracepoint/kprobe programs, ring buffer, links) and auto picks it', (t) => {
  const why = whyNoTracing();
  if (why) return t.skip(why);
  const r = doctorJson();
  assert.equal(r.code, 0, r.stderr);
  const doc = JSON.parse(r.stdout) as {
    checks: { key: string; ok: boolean; detail: string }[];
    summary: string[];
    features: { bpf: { syscall: boolean }; kprobePmu: number | null };
    bpfProbe: Record<string, unknown>;
  };
  if (!doc.features.bpf.syscall) return t.skip('this kernel has no bpf() syscall');
  // Every kernel this runs on (the host's 6.18, the lane's 6.1 and 6.12) is 5.15 or newer.
  assert.deepEqual(doc.bpfProbe, {
    syscall: true,
    tracepointProg: true,
    kprobeProg: true,
    ringbuf: true,
    perfLink: true,
    error: null,
    autoPicksBpf: true,
    autoFallback: null,
  });
  for (const key of [
    'bpfSyscall',
    'bpfTracepoint',
    'bpfKprobe',
    'bpfRingbuf',
    'bpfLinks',
    'bpfBackend',
  ])
    assert.equal(doc.checks.find((c) => c.key === key)?.ok, true, key);
  const kp = doc.checks.find((c) => c.key === 'bpfKprobe')?.detail ?? '';
  if (doc.features.kprobePmu !== null) assert.match(kp, /through the kprobe PMU/);
  else assert.match(kp, /no kprobe PMU here/);
  assert.ok(
    doc.summary.some((l) => /^BPF: available/.test(l)),
    doc.summary.join('\n'),
  );
});

test("probekit list 'vfs_*' lists vfs_read; without kprobes it says they cannot be probed here", (t) => {
  const why = whyNoTracing();
  if (why) return t.skip(why);
  const r = probekit('list', 'vfs_*');
  assert.equal(r.code, 0, r.stderr);
  const names = r.stdout.split('\n').map((l) => l.split(/\s+/)[0]);
  assert.ok(names.includes('vfs_read'));
  assert.ok(names.every((n) => n === '' || n?.startsWith('vfs_')));
  if (!hasKprobes())
    assert.match(
      r.stderr,
      /kprobes are not available .*CONFIG_KPROBES.*cannot be probed on this kernel/,
    );
  const v = probekit('list', '-v', 'vfs_read');
  assert.match(v.stdout, /^vfs_read +0x[0-9a-f]{8,} [Tt]/m);
});

test("probekit list 't:syscalls:sys_enter_open*' -v lists the open syscalls with their fields", (t) => {
  const why = whyNoTracing(['syscalls']);
  if (why) return t.skip(why);
  const r = probekit('list', 't:syscalls:sys_enter_open*', '-v');
  assert.equal(r.code, 0, r.stderr);
  assert.match(
    r.stdout,
    /^t:syscalls:sys_enter_openat\n(?: {4}.*\n)*? {4}const char \* filename;/m,
  );
  assert.ok(!/sys_exit_/.test(r.stdout));
  const none = probekit('list', 't:syscalls:sys_enter_nosuch*');
  assert.equal(none.code, 1);
});

test('probekit list --uprobe libc malloc shows file offsets', (t) => {
  const r = probekit('list', '--uprobe', 'libc', 'malloc');
  if (r.code !== 0 && /libc/.test(r.stderr) && /not found|no such/i.test(r.stderr))
    return t.skip(`needs libc: ${r.stderr.trim()}`);
  assert.equal(r.code, 0, r.stderr);
  assert.match(r.stdout, /^malloc(@@\S+)? +0x[0-9a-f]+$/m);
});
