import assert from 'node:assert/strict';
import { test } from 'node:test';
import {
  type DoctorInput,
  doctorChecks,
  doctorSummary,
  renderDoctor,
  usage,
} from '../../src/cli/commands/doctor.js';
import { parseKprobeBlacklist } from '../../src/kernel/blacklist.js';
import { featuresFromReadme, type KernelFeatures } from '../../src/kernel/features.js';
import { Kallsyms } from '../../src/kernel/kallsyms.js';
import { privilegesFromStatus } from '../../src/kernel/privileges.js';
import { traceableFromKallsyms } from '../../src/kernel/traceable.js';
import { fixture } from '../kernel/fixtures.js';

const NO_KPROBES =
  "this kernel was built without CONFIG_KPROBES (no kprobe_events in tracefs; /proc/config.gz says '# CONFIG_KPROBES is not set')";
const FILES = [
  'README',
  'uprobe_events',
  'dynamic_events',
  'events',
  'events/syscalls',
  'instances',
  'error_log',
];

function features(kprobes: boolean, status = fixture('proc-status-root.txt')): KernelFeatures {
  const readme = fixture(kprobes ? 'tracefs-README-6.12-debian.txt' : 'tracefs-README-6.18.txt');
  const t = featuresFromReadme(readme, new Set(kprobes ? [...FILES, 'kprobe_events'] : FILES));
  const privileges = privilegesFromStatus(status);
  return {
    ...t,
    btf: true,
    kprobePmu: kprobes ? 6 : null,
    uprobePmu: 8,
    bpf: {
      syscall: true,
      unprivilegedDisabled: 2,
      usable: privileges.sysAdmin,
      evidence: 'CONFIG_BPF_SYSCALL is set in /proc/config.gz',
    },
    privileges,
    release: '6.18.44-test',
    configSource: '/proc/config.gz',
    kprobesMissing: kprobes ? null : NO_KPROBES,
    tracefs: '/sys/kernel/tracing',
    tracefsReadable: privileges.sysAdmin,
  };
}

function input(kprobes: boolean, status?: string): DoctorInput {
  const kallsyms = Kallsyms.parse(fixture('kallsyms-6.18-excerpt.txt'));
  return {
    tracefs: { path: '/sys/kernel/tracing', mounted: false, via: 'tracefs' },
    features: features(kprobes, status),
    tracepointGroups: 102,
    facts: {
      kallsyms,
      traceable: traceableFromKallsyms(
        kallsyms,
        'available_filter_functions could not be read (EPERM)',
      ),
      blacklist: kprobes
        ? {
            ok: true,
            blacklist: parseKprobeBlacklist(fixture('kprobes-blacklist-x86_64.txt')),
            path: '/sys/kernel/debug/kprobes/blacklist',
          }
        : { ok: false, reason: 'no kprobes in this kernel' },
    },
  };
}

test('doctor on a kernel without kprobes: the kprobes line names CONFIG_KPROBES and says what to use', () => {
  const checks = doctorChecks(input(false));
  const k = checks.find((c) => c.key === 'kprobes');
  assert.equal(k?.ok, false);
  assert.match(k?.detail ?? '', /built without CONFIG_KPROBES/);
  assert.match(k?.remedy ?? '', /tracepoints .* uprobes/);
  assert.equal(checks.find((c) => c.key === 'uprobes')?.ok, true);
  assert.equal(checks.find((c) => c.key === 'tracepoints')?.detail, '102 groups under events/');
  assert.equal(checks.find((c) => c.key === 'kprobePmu')?.ok, false);
  assert.equal(
    checks.find((c) => c.key === 'blacklist'),
    undefined,
    'no blacklist line without kprobes',
  );
  for (const c of checks)
    assert.equal(c.remedy === null, c.ok, `${c.key}: a remedy exactly when missing`);
  const summary = doctorSummary(input(false)).join('\n');
  assert.match(summary, /^kprobes are missing: this kernel was built without CONFIG_KPROBES/);
  assert.match(summary, /probekit can use here: uprobes, tracepoints\./);
});

test('doctor on a kernel with kprobes and fprobe: everything probekit needs is ✓', () => {
  const checks = doctorChecks(input(true));
  for (const key of [
    'kprobes',
    'kretprobes',
    'uprobes',
    'fprobe',
    'btfArgs',
    'kprobePmu',
    'blacklist',
    'privileges',
  ]) {
    assert.equal(checks.find((c) => c.key === key)?.ok, true, key);
  }
  assert.match(checks.find((c) => c.key === 'blacklist')?.detail ?? '', /10 entries/);
  assert.match(
    doctorSummary(input(true)).join('\n'),
    /probekit can use here: kprobes, kretprobes, uprobes, tracepoints\./,
  );
});

test('doctor as a plain user: tracefs unreadable hides its features; privileges ✗ with sudo', () => {
  const user = input(false, 'Uid:\t1000\t1000\t1000\t1000\nCapEff:\t0000000000000000\n');
  const checks = doctorChecks(user);
  assert.equal(
    checks.find((c) => c.key === 'kprobes'),
    undefined,
    'unknown, not missing',
  );
  assert.equal(
    checks.find((c) => c.key === 'uprobes'),
    undefined,
  );
  assert.match(checks.find((c) => c.key === 'tracefs')?.detail ?? '', /not readable by uid 1000/);
  assert.equal(checks.find((c) => c.key === 'btf')?.ok, true);
  const summary = doctorSummary(user).join('\n');
  assert.match(summary, /readable by root only: run sudo probekit doctor/);
  assert.doesNotMatch(summary, /can use here/);
  const p = checks.find((c) => c.key === 'privileges');
  assert.equal(p?.ok, false);
  assert.equal(p?.detail, 'uid 1000, no CAP_SYS_ADMIN');
  assert.match(p?.remedy ?? '', /sudo/);
});

test('renderDoctor prints ✓/✗ rows with → remedies', () => {
  const text = renderDoctor(input(false), 'x86_64');
  assert.match(
    text,
    /^probekit doctor: kernel 6\.18\.44-test \(x86_64\), tracefs at \/sys\/kernel\/tracing\n/,
  );
  assert.match(text, /\n {2}✗ kprobes +this kernel was built without CONFIG_KPROBES/);
  assert.match(text, /\n {2}✓ uprobes +uprobe_events\n/);
  assert.match(text, /\n +→ use tracepoints/);
});

test('doctor usage follows the perf-tools layout', () => {
  for (const section of ['USAGE', 'OPTIONS', 'EXAMPLES', 'REQUIREMENTS', 'EXIT STATUS'])
    assert.match(usage, new RegExp(`\\n${section}\\n`));
  assert.match(usage, /--json +# /);
});
