import assert from 'node:assert/strict';
import { test } from 'node:test';
import { baseSymbol, parseKprobeBlacklist } from '../../src/kernel/blacklist.js';
import { Kallsyms } from '../../src/kernel/kallsyms.js';
import {
  parseAvailableFilterFunctions,
  traceableFromKallsyms,
} from '../../src/kernel/traceable.js';
import { fixture } from './fixtures.js';

const ks = () => Kallsyms.parse(fixture('kallsyms-6.18-excerpt.txt'));

test('kallsyms: a known function with its address, type and no module', () => {
  const k = ks();
  assert.equal(k.size, 54);
  assert.deepEqual(k.functions('vfs_read'), [
    { name: 'vfs_read', address: 0xffffffff816b89f0n, type: 'T', module: null },
  ]);
  assert.equal(k.functions('do_sys_openat2')[0]?.type, 't');
  assert.equal(k.addressesHidden, false);
});

test('kallsyms: duplicate names are counted, __pfx_ preambles are not functions to list', () => {
  const k = ks();
  assert.equal(k.functions('__cpuid').length, 4);
  const dups = k.duplicateFunctionNames();
  assert.ok(dups.includes('__cpuid'));
  assert.ok(dups.includes('NF_HOOK.constprop.0'));
  assert.ok(!dups.includes('vfs_read'));
  const names = [...k.functionNames()];
  assert.ok(!names.some((n) => n.startsWith('__pfx_')));
  assert.ok(names.includes('vfs_coredump.cold'));
});

test('kallsyms: module symbols carry their module', () => {
  assert.equal(ks().lookup('ftrace_trampoline')[0]?.module, '__builtin__ftrace');
});

test('kallsyms: zero addresses (kptr_restrict) are reported as hidden; junk lines are skipped', () => {
  const hidden = fixture('kallsyms-6.18-excerpt.txt').replace(
    /^[0-9a-f]{16}/gm,
    '0000000000000000',
  );
  const k = Kallsyms.parse(`${hidden}not a kallsyms line\nzz T bad_hex\n`);
  assert.equal(k.addressesHidden, true);
  assert.equal(k.size, 54);
  assert.equal(k.functions('vfs_read')[0]?.address, 0n);
});

test('kallsyms: an address resolves to the symbol at or below it, as a stack frame', () => {
  const k = ks();
  assert.equal(k.symbolize(0xffffffff821ed4a0n + 0x7fn), 'do_syscall_64+0x7f');
  assert.equal(k.symbolize(0xffffffff816b89f0n), 'vfs_read+0x0');
  assert.deepEqual(k.resolve(0xffffffff816b89f0n + 0x10n), {
    name: 'vfs_read',
    offset: 0x10n,
    module: null,
  });
  // In the padding before a function: its __pfx_ preamble names it.
  assert.equal(k.symbolize(0xffffffff820ff7b4n), '__pfx_NF_HOOK.constprop.0+0x4');
  assert.equal(k.symbolize(0xffffffffc0201008n), 'ftrace_trampoline+0x8 [__builtin__ftrace]');
  assert.equal(k.symbolize(0x1000n), '0x1000', 'below every symbol: the address');
  assert.equal(k.resolve(0xffffffffc0201000n + (1n << 20n)), null, 'too far past the last one');
  const hidden = Kallsyms.parse(
    fixture('kallsyms-6.18-excerpt.txt').replace(/^[0-9a-f]{16}/gm, '0000000000000000'),
  );
  assert.equal(hidden.symbolize(0xffffffff821ed4a0n), '0xffffffff821ed4a0');
});

test('available_filter_functions: names, modules, placeholders dropped; the _addrs form too', () => {
  const a = parseAvailableFilterFunctions(fixture('available_filter_functions-sample.txt'));
  assert.ok(a.names.has('vfs_read'));
  assert.ok(!a.names.has('__ftrace_invalid_address___64'));
  assert.equal(a.modules.get('kvm_arch_vcpu_ioctl'), 'kvm');
  const b = parseAvailableFilterFunctions(fixture('available_filter_functions_addrs-sample.txt'));
  assert.deepEqual([...b.names].sort(), [
    'kvm_arch_vcpu_ioctl',
    'tcp_v4_rcv',
    'vfs_read',
    'vfs_readv',
  ]);
  assert.equal(b.modules.get('kvm_arch_vcpu_ioctl'), 'kvm');
});

test('traceable fallback to kallsyms says so in its note', () => {
  const t = traceableFromKallsyms(ks(), 'available_filter_functions could not be read (EPERM)');
  assert.equal(t.source, 'kallsyms');
  assert.ok(t.names.has('vfs_read'));
  assert.match(t.note ?? '', /EPERM.*kallsyms code symbols.*notrace/);
});

test('blacklist: entries, address ranges, module entries', () => {
  const b = parseKprobeBlacklist(fixture('kprobes-blacklist-x86_64.txt'));
  assert.equal(b.entries.length, 10);
  assert.equal(b.addressesHidden, false);
  assert.deepEqual(b.entries[0], {
    start: 0xffffffff81000080n,
    end: 0xffffffff81000100n,
    symbol: 'entry_SYSCALL_64',
    module: null,
  });
  assert.equal(b.entries.at(-1)?.module, 'kvm');
  assert.equal(b.lookup('notify_die')?.symbol, 'notify_die');
  assert.equal(b.lookup('vfs_read', 0xffffffff816b89f0n), undefined);
  // an alias at an address inside a listed range is refused like the kernel does
  assert.equal(b.lookup('some_alias', 0xffffffff821f0f48n)?.symbol, 'exc_int3');
});

test('blacklist: a .suffix clone inherits its base symbol (within_kprobe_blacklist)', () => {
  const b = parseKprobeBlacklist(fixture('kprobes-blacklist-x86_64.txt'));
  assert.equal(baseSymbol('default_do_nmi.cold'), 'default_do_nmi');
  assert.equal(baseSymbol('foo.isra.0'), 'foo');
  assert.equal(b.lookup('default_do_nmi.cold')?.symbol, 'default_do_nmi');
  assert.equal(b.lookup('notify_die.isra.0')?.symbol, 'notify_die');
  assert.equal(b.lookup('vfs_read.isra.0'), undefined);
});

test('blacklist captured on Debian 6.12: 723 entries, int3 handlers, __pfx_ preambles', () => {
  const b = parseKprobeBlacklist(fixture('kprobes-blacklist-6.12-debian.txt'));
  assert.equal(b.entries.length, 723);
  assert.equal(b.addressesHidden, false);
  assert.deepEqual(b.lookup('exc_int3'), {
    start: 0xffffffffa12e2910n,
    end: 0xffffffffa12e2a40n,
    symbol: 'exc_int3',
    module: null,
  });
  assert.ok(b.lookup('notify_die'));
  assert.equal(b.lookup('do_sys_openat2'), undefined);
  assert.equal(b.lookup('vfs_read'), undefined);
});

test('available_filter_functions head captured on Debian 6.12 parses every line', () => {
  const text = fixture('available_filter_functions-6.12-debian-head.txt');
  const a = parseAvailableFilterFunctions(text);
  assert.equal(a.names.size, new Set(text.split('\n').filter(Boolean)).size);
  assert.ok(a.names.has('__traceiter_initcall_level'));
});

test('blacklist with hidden (zero) addresses still matches by name, never by address', () => {
  const b = parseKprobeBlacklist(fixture('kprobes-blacklist-hidden.txt'));
  assert.equal(b.addressesHidden, true);
  assert.equal(b.lookup('exc_int3')?.symbol, 'exc_int3');
  assert.equal(b.lookup('anything', 0n), undefined);
  assert.equal(b.lookup('anything', 0xffffffff821f0f48n), undefined);
});
