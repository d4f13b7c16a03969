import assert from 'node:assert/strict';
import { test } from 'node:test';
import { parseKprobeBlacklist } from '../../src/kernel/blacklist.js';
import { PreflightError } from '../../src/kernel/errors.js';
import { Kallsyms } from '../../src/kernel/kallsyms.js';
import { type FunctionFacts, preflightKernelFunction } from '../../src/kernel/preflight.js';
import { parseAvailableFilterFunctions } from '../../src/kernel/traceable.js';
import { fixture } from './fixtures.js';

const NO_KPROBES =
  "this kernel was built without CONFIG_KPROBES (no kprobe_events in tracefs; /proc/config.gz says '# CONFIG_KPROBES is not set')";

function facts(
  over: Partial<FunctionFacts> & { kprobes?: boolean; fprobe?: boolean } = {},
): FunctionFacts {
  const kprobes = over.kprobes ?? true;
  const aff = parseAvailableFilterFunctions(fixture('available_filter_functions-sample.txt'));
  return {
    features: {
      kprobes,
      kretprobes: kprobes,
      fprobe: over.fprobe ?? false,
      kprobesMissing: kprobes ? null : NO_KPROBES,
    },
    kallsyms: Kallsyms.parse(fixture('kallsyms-6.18-excerpt.txt')),
    traceable: {
      source: 'available_filter_functions',
      names: aff.names,
      modules: aff.modules,
      note: null,
    },
    blacklist: {
      ok: true,
      blacklist: parseKprobeBlacklist(fixture('kprobes-blacklist-x86_64.txt')),
      path: '/sys/kernel/debug/kprobes/blacklist',
    },
    arch: 'x86_64',
    syscallEvents: new Set([
      'sys_enter_openat',
      'sys_exit_openat',
      'sys_enter_openat2',
      'sys_exit_openat2',
      'sys_enter_read',
    ]),
    ...over,
  };
}

function rejects(fn: () => unknown, code: string): PreflightError {
  try {
    fn();
  } catch (e) {
    assert.ok(e instanceof PreflightError, `expected a PreflightError, got ${String(e)}`);
    assert.equal(e.code, code, e.message);
    assert.equal(e.exitCode, 1);
    assert.deepEqual(e.details['suggestions'], e.suggestions);
    return e;
  }
  assert.fail(`expected ${code}`);
}

test('a kernel without kprobes refuses a kprobe with CONFIG_KPROBES and the syscall tracepoints instead', () => {
  const e = rejects(
    () => preflightKernelFunction('do_sys_openat2', facts({ kprobes: false })),
    'E_NO_KPROBES',
  );
  assert.match(
    e.message,
    /^kprobes are not available: this kernel was built without CONFIG_KPROBES/,
  );
  assert.match(e.hint ?? '', /t:syscalls:sys_enter_openat\b/);
  assert.match(e.hint ?? '', /uprobes/);
  assert.deepEqual(e.suggestions, ['t:syscalls:sys_enter_openat2', 't:syscalls:sys_enter_openat']);
  assert.equal(e.details['feature'], 'kprobes');
  const r = rejects(
    () => preflightKernelFunction('do_sys_openat2', facts({ kprobes: false }), 'kretprobe'),
    'E_NO_KPROBES',
  );
  assert.deepEqual(r.suggestions, ['t:syscalls:sys_exit_openat2', 't:syscalls:sys_exit_openat']);
  const plain = rejects(
    () => preflightKernelFunction('vfs_read', facts({ kprobes: false })),
    'E_NO_KPROBES',
  );
  assert.match(plain.hint ?? '', /tracepoints .* or uprobes/);
});

test('an existing, unique, traceable function passes with its address', () => {
  const r = preflightKernelFunction('do_sys_openat2', facts());
  assert.equal(r.address, 0xffffffff816b52b0n);
  assert.equal(r.type, 't');
  assert.deepEqual(r.notes, []);
});

test('an unknown function gets near names', () => {
  const e = rejects(() => preflightKernelFunction('vfs_raed', facts()), 'E_NO_SUCH_FUNCTION');
  assert.equal(e.suggestions[0], 'k:vfs_read');
  assert.ok(e.suggestions.length <= 5);
  assert.match(e.hint ?? '', /did you mean vfs_read/);
});

test('sys_openat suggests the arch syscall wrapper and the tracepoint', () => {
  const e = rejects(() => preflightKernelFunction('sys_openat', facts()), 'E_NO_SUCH_FUNCTION');
  assert.deepEqual(e.suggestions.slice(0, 2), [
    'k:__x64_sys_openat',
    't:syscalls:sys_enter_openat',
  ]);
  // arm64 spells the wrapper __arm64_sys_openat, which this x86_64 kallsyms lacks: only the tracepoint remains
  const a = rejects(
    () => preflightKernelFunction('sys_openat', facts({ arch: 'arm64' })),
    'E_NO_SUCH_FUNCTION',
  );
  assert.equal(a.suggestions[0], 't:syscalls:sys_enter_openat');
  assert.ok(!a.suggestions.includes('k:__x64_sys_openat'));
});

test('a name the compiler cloned suggests the clone', () => {
  const e = rejects(
    () => preflightKernelFunction('class_preempt_notrace_destructor', facts()),
    'E_NO_SUCH_FUNCTION',
  );
  assert.deepEqual(e.suggestions, ['k:class_preempt_notrace_destructor.isra.0']);
  assert.match(e.hint ?? '', /compiler made .*isra\.0.*\$argN can be wrong/);
  const cold = rejects(() => preflightKernelFunction('__do_replac', facts()), 'E_NO_SUCH_FUNCTION');
  assert.ok(cold.suggestions.includes('k:__do_replace'));
});

test('a duplicated name lists every candidate with its address and offers k:0xADDR', () => {
  const e = rejects(() => preflightKernelFunction('__cpuid', facts()), 'E_NOT_UNIQUE');
  assert.deepEqual(e.suggestions, [
    'k:0xffffffff81200ca0',
    'k:0xffffffff812edd10',
    'k:0xffffffff8130e6f0',
    'k:0xffffffff813227d0',
  ]);
  assert.deepEqual(e.details['candidates'], [
    '0xffffffff81200ca0 t __cpuid',
    '0xffffffff812edd10 t __cpuid',
    '0xffffffff8130e6f0 t __cpuid',
    '0xffffffff813227d0 t __cpuid',
  ]);
});

test('a blacklisted function is refused with the reason', () => {
  const e = rejects(() => preflightKernelFunction('exc_int3', facts()), 'E_BLACKLISTED');
  assert.match(e.message, /kprobe blacklist/);
  assert.match(e.hint ?? '', /probe a caller, or use a tracepoint/);
});

test('blacklist not readable: the probe passes with a note saying so', () => {
  const r = preflightKernelFunction(
    'exc_int3',
    facts({ blacklist: { ok: false, reason: 'debugfs is not mounted' } }),
  );
  assert.equal(r.notes[0], 'kprobe blacklist not checked: debugfs is not mounted');
});

test('notrace does not block a kprobe but is noted; it blocks fprobe', () => {
  const r = preflightKernelFunction('vfs_rename', facts());
  assert.match(
    r.notes.join('\n'),
    /not in available_filter_functions \(notrace\): a kprobe still works/,
  );
  const e = rejects(
    () => preflightKernelFunction('vfs_rename', facts({ fprobe: true }), 'fprobe'),
    'E_NOT_TRACEABLE',
  );
  assert.deepEqual(e.suggestions, ['k:vfs_rename']);
});

test('fprobe needs fprobe events; cold code cannot carry a return probe', () => {
  const e = rejects(() => preflightKernelFunction('vfs_read', facts(), 'fprobe'), 'E_NO_FPROBE');
  assert.deepEqual(e.suggestions, ['k:vfs_read']);
  const c = rejects(
    () => preflightKernelFunction('vfs_coredump.cold', facts(), 'kretprobe'),
    'E_NOT_ENTRY',
  );
  assert.deepEqual(c.suggestions, ['kr:vfs_coredump']);
  assert.match(preflightKernelFunction('vfs_coredump.cold', facts()).notes.join(), /cold code/);
});

test('a data symbol is not a function; an address passes unchecked with a note', () => {
  const k = Kallsyms.parse(`${fixture('kallsyms-6.18-excerpt.txt')}ffffffff83000000 D jiffies\n`);
  rejects(() => preflightKernelFunction('jiffies', facts({ kallsyms: k })), 'E_NOT_A_FUNCTION');
  const r = preflightKernelFunction('0xffffffff81200ca0', facts());
  assert.equal(r.address, 0xffffffff81200ca0n);
  assert.match(r.notes[0] ?? '', /by address/);
});

test('MODULE:name restricts the candidates to that module', () => {
  const e = rejects(() => preflightKernelFunction('kvm:vfs_read', facts()), 'E_NO_SUCH_FUNCTION');
  assert.match(e.message, /no function vfs_read in module kvm/);
  assert.equal(e.hint, 'vfs_read is in vmlinux');
  assert.equal(
    preflightKernelFunction('__builtin__ftrace:ftrace_trampoline', facts()).module,
    '__builtin__ftrace',
  );
});
