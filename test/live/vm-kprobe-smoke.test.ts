// Smoke test of the QEMU lane (scripts/vm/): proves that a guest kernel with
// kprobes runs our compiled tests as root with tracefs mounted. It talks to
// tracefs directly (no probekit code), so a failure here is about the lane.
// On a kernel without kprobe events (the development machine) it skips.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { appendFileSync, existsSync, mkdirSync, readFileSync, rmdirSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';

/** First tracefs mount point in /proc/mounts, or null. */
function tracefsPath(): string | null {
  let text: string;
  try {
    text = readFileSync('/proc/mounts', 'utf8');
  } catch {
    return null;
  }
  for (const line of text.split('\n')) {
    const [, path, fstype] = line.split(' ');
    if (fstype === 'tracefs' && path) return path.replace(/\\040/g, ' ');
  }
  return null;
}

/** True when the lane told us (PROBEKIT_VM_CONFIG) that this kernel is built with kprobe events. */
function laneExpectsKprobeEvents(): boolean {
  const config = process.env['PROBEKIT_VM_CONFIG'];
  if (!config || !existsSync(config)) return false;
  return /^CONFIG_KPROBE_EVENTS=y$/m.test(readFileSync(config, 'utf8'));
}

interface TraceLine {
  readonly pid: number;
  readonly event: string;
  readonly fields: string;
}

/** Picks `<comm>-<pid> ... <event>: <fields>` lines of our two events out of a trace file. */
function parseTrace(text: string, events: readonly string[]): TraceLine[] {
  const out: TraceLine[] = [];
  for (const line of text.split('\n')) {
    const m = /-(\d+)\s.*?\s([\w]+): (.*)$/.exec(line);
    if (m && events.includes(m[2]!)) out.push({ pid: Number(m[1]), event: m[2]!, fields: m[3]! });
  }
  return out;
}

test('kprobe + kretprobe on do_sys_openat2 see a child fail to open a missing file', (t) => {
  const tracefs = tracefsPath();
  const kprobeEvents = tracefs === null ? null : join(tracefs, 'kprobe_events');
  if (kprobeEvents === null || !existsSync(kprobeEvents)) {
    assert.ok(
      !laneExpectsKprobeEvents(),
      'the kernel config says CONFIG_KPROBE_EVENTS=y but tracefs has no kprobe_events',
    );
    t.skip(
      'needs kprobe_events in a mounted tracefs (CONFIG_KPROBE_EVENTS); try `npm run test:vm`',
    );
    return;
  }
  if (process.getuid?.() !== 0) {
    t.skip('needs root to write kprobe_events');
    return;
  }

  const group = `probekit_vmtest_${process.pid}`;
  const instance = join(tracefs!, 'instances', group);
  const enable = join(instance, 'events', group, 'enable');
  const missing = `/tmp/probekit-vm-missing-${process.pid}-${Date.now()}`;
  const created: string[] = [];
  let madeInstance = false;
  try {
    // Appending (never truncating) leaves other tools' probes alone.
    appendFileSync(kprobeEvents, `p:${group}/open do_sys_openat2 path=+0(%si):ustring\n`);
    created.push('open');
    appendFileSync(kprobeEvents, `r:${group}/open_ret do_sys_openat2 ret=$retval:s64\n`);
    created.push('open_ret');
    mkdirSync(instance);
    madeInstance = true;
    appendFileSync(enable, '1');

    const child = spawnSync('cat', [missing], { encoding: 'utf8' });
    appendFileSync(enable, '0');
    assert.equal(child.error, undefined, `could not run cat: ${child.error}`);
    assert.notEqual(child.status, 0, 'cat of a missing file should fail');

    const lines = parseTrace(readFileSync(join(instance, 'trace'), 'utf8'), ['open', 'open_ret']);
    const mine = lines.filter((l) => l.pid === child.pid);
    const entry = mine.findIndex(
      (l) => l.event === 'open' && l.fields.includes(`path="${missing}"`),
    );
    assert.ok(
      entry >= 0,
      `no open event with path="${missing}" for pid ${child.pid}; saw ${lines.length} lines`,
    );
    const ret = mine.slice(entry + 1).find((l) => l.event === 'open_ret');
    assert.ok(ret, `no open_ret event after the open of ${missing}`);
    assert.match(ret.fields, /\bret=-2\b/, 'do_sys_openat2 should return -ENOENT (-2)');
  } finally {
    if (madeInstance) {
      try {
        appendFileSync(enable, '0');
      } catch {
        // already disabled or never enabled
      }
      rmdirSync(instance);
    }
    for (const name of created.reverse()) appendFileSync(kprobeEvents, `-:${group}/${name}\n`);
  }
  const left = readFileSync(kprobeEvents, 'utf8');
  assert.ok(!left.includes(group), `probes of ${group} left in kprobe_events:\n${left}`);
});
