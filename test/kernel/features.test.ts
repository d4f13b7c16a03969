import assert from 'node:assert/strict';
import { test } from 'node:test';
import { featuresFromReadme, planFeatures } from '../../src/kernel/features.js';
import { fixture } from './fixtures.js';

/** The tracefs files the development machine has (no kprobe_events). */
const FILES_6_18 = new Set([
  'README',
  'uprobe_events',
  'dynamic_events',
  'events',
  'events/syscalls',
  'instances',
  'error_log',
  'available_filter_functions',
]);

test('6.18 without kprobes: uprobes, tracepoints, README fetchargs; no kprobes, fprobe or BTF args', () => {
  const f = featuresFromReadme(fixture('tracefs-README-6.18.txt'), FILES_6_18);
  assert.equal(f.kprobes, false);
  assert.equal(f.kretprobes, false);
  assert.equal(f.kprobeEvents, false);
  assert.equal(f.uprobes, true);
  assert.equal(f.tracepoints, true);
  assert.equal(f.syscallTracepoints, true);
  assert.equal(f.instances, true);
  assert.equal(f.dynamicEvents, true);
  for (const k of [
    'argN',
    'argNAtReturn',
    'ustring',
    'userDeref',
    'char',
    'symstr',
    'immediates',
    'returnSuffix',
    'percentPd',
    'refCtrOffset',
  ] as const) {
    assert.equal(f[k], true, k);
  }
  assert.equal(f.btfArgs, false);
  assert.equal(f.fprobe, false);
  assert.equal(f.tprobe, false);
  // README prints the eprobe syntax on this kernel although EPROBE_EVENTS is off: detectFeatures corrects it with the config.
  assert.equal(f.eprobe, true);
});

test('Debian 6.12 README (captured in the QEMU lane) with kprobe_events: kprobes, fprobe, BTF args', () => {
  const files = new Set([...FILES_6_18, 'kprobe_events']);
  const f = featuresFromReadme(fixture('tracefs-README-6.12-debian.txt'), files);
  assert.equal(f.kprobes, true);
  assert.equal(f.kretprobes, true);
  assert.equal(f.fprobe, true);
  assert.equal(f.tprobe, true);
  assert.equal(f.btfArgs, true);
  assert.equal(f.percentPd, true);
  assert.equal(f.argNAtReturn, true);
  assert.equal(f.ustring, true);
});

test('a README from before BTF args, %pd and $argN at return (older layout) turns those off', () => {
  const old = fixture('tracefs-README-6.12-debian.txt')
    .replace(/^.*<argname>.*\n/m, '')
    .replace(
      'kernel return probes support: $retval, $arg<N>, $comm',
      'kernel return probes support: $retval, $comm',
    )
    .replace('symstr, %pd/%pD, ', 'symstr, ')
    .replace(/^\s*f\[:\[.*\n/m, '');
  const f = featuresFromReadme(old, new Set([...FILES_6_18, 'kprobe_events']));
  assert.equal(f.btfArgs, false);
  assert.equal(f.argNAtReturn, false);
  assert.equal(f.percentPd, false);
  assert.equal(f.fprobe, false);
  assert.equal(f.kprobes, true);
});

test('features come from files, not the README alone: no uprobe_events file means no uprobes', () => {
  const f = featuresFromReadme(fixture('tracefs-README-6.18.txt'), new Set(['events']));
  assert.equal(f.uprobes, false);
  assert.equal(f.uprobeEvents, false);
  assert.equal(f.dynamicEvents, false);
  assert.equal(f.fprobe, false);
  assert.equal(f.syscallTracepoints, false);
});

test('planFeatures picks exactly the PlanFeatures fields', () => {
  const f = featuresFromReadme(fixture('tracefs-README-6.18.txt'), FILES_6_18);
  const p = planFeatures(f);
  assert.deepEqual(Object.keys(p).sort(), [
    'argN',
    'argNAtReturn',
    'btfArgs',
    'char',
    'dynamicEvents',
    'immediates',
    'kprobeEvents',
    'returnSuffix',
    'symstr',
    'uprobeEvents',
    'userDeref',
    'ustring',
  ]);
  assert.equal(p.uprobeEvents, true);
  assert.equal(p.kprobeEvents, false);
});
