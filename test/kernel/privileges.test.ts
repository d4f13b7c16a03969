import assert from 'node:assert/strict';
import { test } from 'node:test';
import { configEnabled, parseKernelConfig } from '../../src/kernel/config.js';
import { bpfFacts } from '../../src/kernel/features.js';
import { kprobesMissingReason } from '../../src/kernel/missing.js';
import { privilegesFromStatus } from '../../src/kernel/privileges.js';
import { fixture } from './fixtures.js';

test('privilegesFromStatus: root with every capability (captured)', () => {
  const p = privilegesFromStatus(fixture('proc-status-root.txt'));
  assert.equal(p.euid, 0);
  assert.equal(p.capEff, 0x1fffeffffffn);
  assert.deepEqual(
    [p.root, p.sysAdmin, p.perfmon, p.bpf, p.canTrace],
    [true, true, true, true, true],
  );
});

test('privilegesFromStatus: a user with only CAP_BPF and CAP_PERFMON cannot trace through tracefs', () => {
  const caps = ((1n << 38n) | (1n << 39n)).toString(16);
  const p = privilegesFromStatus(`Uid:\t1000\t1000\t1000\t1000\nCapEff:\t${caps}\n`);
  assert.deepEqual(
    [p.root, p.sysAdmin, p.perfmon, p.bpf, p.canTrace],
    [false, false, true, true, false],
  );
});

test('parseKernelConfig keeps values and the exact "is not set" line', () => {
  const c = parseKernelConfig(fixture('config-6.18-excerpt.txt'), '/proc/config.gz');
  assert.equal(c.get('CONFIG_KPROBES'), 'n');
  assert.equal(c.line('CONFIG_KPROBES'), '# CONFIG_KPROBES is not set');
  assert.equal(c.get('CONFIG_UPROBE_EVENTS'), 'y');
  assert.equal(configEnabled(c, 'CONFIG_BPF_SYSCALL'), true);
  assert.equal(configEnabled(c, 'CONFIG_EPROBE_EVENTS'), false);
  assert.equal(configEnabled(c, 'CONFIG_NOT_IN_FILE'), false);
  assert.equal(configEnabled(null, 'CONFIG_KPROBES'), null);
});

test('kprobesMissingReason names CONFIG_KPROBES and quotes the config line when readable', () => {
  assert.equal(
    kprobesMissingReason(null),
    'this kernel was built without CONFIG_KPROBES (no kprobe_events in tracefs)',
  );
  const c = parseKernelConfig(fixture('config-6.18-excerpt.txt'), '/proc/config.gz');
  assert.equal(
    kprobesMissingReason(c),
    "this kernel was built without CONFIG_KPROBES (no kprobe_events in tracefs; /proc/config.gz says '# CONFIG_KPROBES is not set')",
  );
  const eventsOff = parseKernelConfig(
    'CONFIG_KPROBES=y\n# CONFIG_KPROBE_EVENTS is not set\n',
    '/boot/config-x',
  );
  assert.match(
    kprobesMissingReason(eventsOff),
    /has kprobes but was built without CONFIG_KPROBE_EVENTS.*'# CONFIG_KPROBE_EVENTS is not set'/,
  );
});

test('bpfFacts: config decides; the sysctl file proves the syscall when no config is published', () => {
  const root = privilegesFromStatus(fixture('proc-status-root.txt'));
  const user = privilegesFromStatus('Uid:\t1000\t1000\t1000\t1000\nCapEff:\t0\n');
  const c = parseKernelConfig(fixture('config-6.18-excerpt.txt'), '/proc/config.gz');
  assert.deepEqual(bpfFacts({ unprivilegedBpfDisabled: '2\n', config: c, privileges: root }), {
    syscall: true,
    unprivilegedDisabled: 2,
    usable: true,
    evidence: 'CONFIG_BPF_SYSCALL is set in /proc/config.gz',
  });
  assert.equal(
    bpfFacts({ unprivilegedBpfDisabled: '2', config: null, privileges: user }).usable,
    false,
  );
  assert.equal(
    bpfFacts({ unprivilegedBpfDisabled: '0', config: null, privileges: user }).usable,
    true,
  );
  const none = bpfFacts({ unprivilegedBpfDisabled: null, config: null, privileges: root });
  assert.equal(none.syscall, false);
  assert.match(none.evidence, /no .*unprivileged_bpf_disabled/);
});
