import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';
import {
  type BpfProbe,
  type DoctorInput,
  doctorChecks,
  doctorSummary,
  probeBpf,
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

const ALL_BPF: BpfProbe = {
  syscall: true,
  tracepointProg: true,
  kprobeProg: true,
  ringbuf: true,
  perfLink: true,
  autoPicksBpf: true,
  autoFallback: null,
  error: null,
};
const REFUSED = 'the bpf() syscall is refused (needs root, or CAP_BPF and CAP_PERFMON)';
const USER = 'Uid:\t1000\t1000\t1000\t1000\nCapEff:\t0000000000000000\n';
/** CAP_BPF (39) only, no CAP_PERFMON (38) or CAP_SYS_ADMIN. */
const CAP_BPF_ONLY = 'Uid:\t1000\t1000\t1000\t1000\nCapEff:\t0000008000000000\n';

function withBpf(bpfProbe: BpfProbe, kprobes = true, status?: string): DoctorInput {
  return { ...input(kprobes, status), bpfProbe };
}

const BPF_KEYS = [
  'bpfSyscall',
  'bpfTracepoint',
  'bpfKprobe',
  'bpfRingbuf',
  'bpfLinks',
  'bpfBackend',
] as const;

test('doctor as root with BPF: bpf(), program types, ring buffer, links, and auto picks BPF', () => {
  const checks = doctorChecks(withBpf(ALL_BPF));
  const keys = checks.map((c) => c.key);
  // Right after the config-based BPF row, in this order.
  assert.deepEqual(keys.slice(keys.indexOf('bpf') + 1, keys.indexOf('bpf') + 7), [...BPF_KEYS]);
  for (const key of BPF_KEYS) assert.equal(checks.find((c) => c.key === key)?.ok, true, key);
  assert.equal(checks.find((c) => c.key === 'bpfSyscall')?.detail, 'works for uid 0');
  assert.match(checks.find((c) => c.key === 'bpfKprobe')?.detail ?? '', /through the kprobe PMU/);
  assert.match(checks.find((c) => c.key === 'bpfBackend')?.detail ?? '', /^picks BPF/);
  assert.match(doctorSummary(withBpf(ALL_BPF)).join('\n'), /^BPF: available; probekit trace/m);
  const text = renderDoctor(withBpf(ALL_BPF), 'x86_64');
  assert.match(text, /\n {2}✓ BPF links +LINK_CREATE on perf events\n/);
  assert.match(text, /\n {2}✓ trace --backend auto +picks BPF/);
});

test('doctor without kprobes: BPF kprobe programs load but only serve uprobes', () => {
  const c = doctorChecks(withBpf(ALL_BPF, false)).find((x) => x.key === 'bpfKprobe');
  assert.equal(c?.ok, true);
  assert.match(c?.detail ?? '', /no kprobe PMU here, so not for kprobes/);
});

test('doctor as a plain user: bpf() refused names CAP_BPF and CAP_PERFMON; untried rows hidden', () => {
  const user = withBpf(
    {
      syscall: false,
      tracepointProg: null,
      kprobeProg: null,
      ringbuf: null,
      perfLink: null,
      autoPicksBpf: false,
      autoFallback: REFUSED,
      error: null,
    },
    false,
    USER,
  );
  const checks = doctorChecks(user);
  const sys = checks.find((c) => c.key === 'bpfSyscall');
  assert.equal(sys?.ok, false);
  assert.equal(sys?.detail, 'refused for uid 1000 (lacks CAP_BPF and CAP_PERFMON)');
  assert.match(sys?.remedy ?? '', /root .*CAP_BPF and CAP_PERFMON/);
  for (const key of ['bpfTracepoint', 'bpfKprobe', 'bpfRingbuf', 'bpfLinks'])
    assert.equal(
      checks.find((c) => c.key === key),
      undefined,
      `${key}: not tried, so not shown`,
    );
  const auto = checks.find((c) => c.key === 'bpfBackend');
  assert.equal(auto?.ok, false);
  assert.equal(auto?.detail, `uses tracefs: ${REFUSED}`);
  assert.match(auto?.remedy ?? '', /CAP_BPF and CAP_PERFMON/);
  for (const c of checks) assert.equal(c.remedy === null, c.ok, c.key);
  assert.match(doctorSummary(user).join('\n'), /^BPF: not used \(the bpf\(\) syscall is refused/m);
});

test('doctor with CAP_BPF but not CAP_PERFMON: programs refused, auto would fail, says which cap', () => {
  const partial = withBpf(
    { ...ALL_BPF, tracepointProg: false, kprobeProg: false, perfLink: false },
    true,
    CAP_BPF_ONLY,
  );
  const checks = doctorChecks(partial);
  assert.equal(checks.find((c) => c.key === 'bpfSyscall')?.ok, true);
  assert.equal(checks.find((c) => c.key === 'bpfRingbuf')?.ok, true);
  const tp = checks.find((c) => c.key === 'bpfTracepoint');
  assert.equal(tp?.ok, false);
  assert.equal(tp?.detail, 'refused: uid 1000 lacks CAP_PERFMON');
  const auto = checks.find((c) => c.key === 'bpfBackend');
  assert.equal(auto?.ok, false);
  assert.match(auto?.detail ?? '', /picks BPF, but its programs are refused .*CAP_PERFMON/);
  assert.match(auto?.remedy ?? '', /--backend tracefs/);
  for (const c of checks) assert.equal(c.remedy === null, c.ok, c.key);
});

test('doctor as root on a kernel without ring buffer or links: the kernel, not privileges, is named', () => {
  const old = withBpf({
    ...ALL_BPF,
    ringbuf: false,
    perfLink: false,
    autoPicksBpf: false,
    autoFallback: 'this kernel has no BPF ring buffer (Linux 5.8+)',
  });
  const checks = doctorChecks(old);
  const rb = checks.find((c) => c.key === 'bpfRingbuf');
  assert.equal(rb?.detail, 'the kernel refused it (added in Linux 5.8)');
  assert.match(rb?.remedy ?? '', /5\.8\+.*--backend tracefs/);
  assert.match(checks.find((c) => c.key === 'bpfLinks')?.remedy ?? '', /PERF_EVENT_IOC_SET_BPF/);
  assert.equal(
    checks.find((c) => c.key === 'bpfBackend')?.detail,
    'uses tracefs: this kernel has no BPF ring buffer (Linux 5.8+)',
  );
});

test('doctor when BPF cannot even be probed (no libc binding): one ✗ row with the error, no crash', () => {
  const error = 'BPF could not be probed: cannot load libc.so.6';
  const broken = withBpf({
    syscall: false,
    tracepointProg: null,
    kprobeProg: null,
    ringbuf: null,
    perfLink: null,
    autoPicksBpf: false,
    autoFallback: error,
    error,
  });
  const checks = doctorChecks(broken);
  const sys = checks.find((c) => c.key === 'bpfSyscall');
  assert.equal(sys?.ok, false);
  assert.equal(sys?.detail, error);
  assert.match(sys?.remedy ?? '', /koffi/);
  assert.doesNotThrow(() => renderDoctor(broken, 'x86_64'));
});

test('probeBpf answers for this process without throwing; every field is present', async () => {
  const b = await probeBpf();
  assert.deepEqual(Object.keys(b).sort(), Object.keys(ALL_BPF).sort());
  assert.equal(b.autoPicksBpf, b.autoFallback === null);
  if (!b.syscall)
    for (const k of ['tracepointProg', 'kprobeProg', 'ringbuf', 'perfLink'] as const)
      assert.equal(b[k], null, k);
});

const CLI = fileURLToPath(new URL('../../src/cli/bin.js', import.meta.url));

function asNobody(args: string[], caps: string[] = []) {
  const capArgs = caps.length
    ? [
        `--inh-caps=${caps.map((c) => `+${c}`).join(',')}`,
        `--ambient-caps=${caps.map((c) => `+${c}`).join(',')}`,
      ]
    : ['--inh-caps=-all'];
  return spawnSync(
    'setpriv',
    [
      '--reuid=65534',
      '--regid=65534',
      '--clear-groups',
      ...capArgs,
      process.execPath,
      CLI,
      ...args,
    ],
    { encoding: 'utf8', timeout: 60_000 },
  );
}

function nobodySkip(): string | undefined {
  if (process.getuid?.() !== 0) return 'needs root (to drop to uid 65534 with setpriv)';
  if (spawnSync('setpriv', ['--version']).status !== 0) return 'needs setpriv (util-linux)';
  return undefined;
}

test('probekit doctor as uid 65534 without capabilities: exit 0, BPF refused with what is missing', (t) => {
  const skip = nobodySkip();
  if (skip) return t.skip(skip);
  const r = asNobody(['doctor', '--json']);
  assert.equal(r.status, 0, r.stderr);
  const doc = JSON.parse(r.stdout) as {
    bpfProbe: BpfProbe;
    checks: { key: string; ok: boolean; detail: string; remedy: string | null }[];
    summary: string[];
  };
  assert.equal(doc.bpfProbe.syscall, false);
  assert.equal(doc.bpfProbe.autoPicksBpf, false);
  const sys = doc.checks.find((c) => c.key === 'bpfSyscall');
  assert.equal(sys?.ok, false);
  assert.match(sys?.detail ?? '', /uid 65534 .*CAP_BPF and CAP_PERFMON/);
  assert.match(sys?.remedy ?? '', /root .*CAP_BPF and CAP_PERFMON/);
  assert.equal(doc.checks.find((c) => c.key === 'bpfBackend')?.ok, false);
  assert.ok(doc.summary.some((l) => /^BPF: not used/.test(l)));
  const text = asNobody(['doctor']);
  assert.equal(text.status, 0, text.stderr);
  assert.match(text.stdout, /✗ bpf\(\) syscall +refused for uid 65534/);
});

test('probekit doctor as uid 65534 with CAP_BPF and CAP_PERFMON: BPF works without root', (t) => {
  const skip = nobodySkip();
  if (skip) return t.skip(skip);
  const r = asNobody(['doctor', '--json'], ['bpf', 'perfmon']);
  if (r.status !== 0 && /ambient|inh-caps|capabilit/i.test(r.stderr))
    return t.skip(`setpriv cannot grant CAP_BPF here: ${r.stderr.trim()}`);
  assert.equal(r.status, 0, r.stderr);
  const doc = JSON.parse(r.stdout) as { bpfProbe: BpfProbe };
  assert.equal(doc.bpfProbe.syscall, true);
  assert.equal(doc.bpfProbe.tracepointProg, true);
  assert.equal(doc.bpfProbe.autoPicksBpf, true);
});
