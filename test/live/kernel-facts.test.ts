// src/kernel on the running kernel: this machine (6.18, no kprobes) and the
// QEMU lane's Debian kernels (with kprobes). Reads only, except one test that
// mounts tracefs and debugfs on temporary directories and unmounts them.
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import {
  detectFeatures,
  findTracefs,
  gatherFunctionFacts,
  loadKallsyms,
  locateDebugfs,
  locateTracefs,
  PreflightError,
  preflightKernelFunction,
  preflightTracepoint,
} from '../../src/kernel/index.js';
import { tracefsRoot, whyNoTracing } from '../helpers/live.js';

/** The lane sets PROBEKIT_VM_CONFIG to the guest kernel's config. */
function laneConfig(): string {
  const p = process.env['PROBEKIT_VM_CONFIG'];
  return p && existsSync(p) ? readFileSync(p, 'utf8') : '';
}

function hasKprobes(): boolean {
  const root = tracefsRoot();
  return root !== null && existsSync(join(root, 'kprobe_events'));
}

function expectCode(fn: () => unknown, code: string): PreflightError {
  try {
    fn();
  } catch (e) {
    assert.ok(e instanceof PreflightError, String(e));
    assert.equal(e.code, code, e.message);
    return e;
  }
  assert.fail(`expected ${code}`);
}

test('findTracefs returns the tracefs mount from /proc/mounts', async (t) => {
  const why = whyNoTracing();
  if (why) return t.skip(why);
  assert.equal(await findTracefs(), tracefsRoot());
  assert.deepEqual(await locateTracefs({ mount: true }), {
    path: tracefsRoot(),
    mounted: false,
    via: 'tracefs',
  });
});

test('locateTracefs/locateDebugfs mount when nothing is mounted (on temp dirs, then unmounted)', async (t) => {
  const why = whyNoTracing();
  if (why) return t.skip(why);
  for (const fstype of ['tracefs', 'debugfs'] as const) {
    const dir = mkdtempSync(join(tmpdir(), `probekit-${fstype}-`));
    try {
      const locate = fstype === 'tracefs' ? locateTracefs : locateDebugfs;
      const loc = await locate({
        mount: true,
        mountsText: 'proc /proc proc rw 0 0\n',
        mountPoint: dir,
      });
      assert.deepEqual(loc, { path: dir, mounted: true, via: fstype });
      const mounts = readFileSync('/proc/mounts', 'utf8');
      assert.ok(
        mounts.split('\n').some((l) => l.split(' ')[1] === dir && l.split(' ')[2] === fstype),
        `${fstype} at ${dir}`,
      );
      if (fstype === 'tracefs') assert.ok(existsSync(join(dir, 'README')));
    } finally {
      try {
        execFileSync('umount', [dir]);
      } catch {
        // not mounted: the assertion above already failed
      }
      rmdirSync(dir);
    }
  }
});

test('detectFeatures: uprobes, tracepoints, BTF; kprobes exactly when kprobe_events exists', async (t) => {
  const why = whyNoTracing();
  if (why) return t.skip(why);
  const root = tracefsRoot() as string;
  const f = await detectFeatures(root);
  assert.equal(f.uprobes, true);
  assert.equal(f.tracepoints, true);
  assert.equal(f.syscallTracepoints, existsSync(join(root, 'events/syscalls')));
  assert.equal(f.btf, existsSync('/sys/kernel/btf/vmlinux'));
  assert.equal(f.privileges.root, true);
  assert.equal(f.release, readFileSync('/proc/sys/kernel/osrelease', 'utf8').trim());
  assert.equal(f.kprobes, hasKprobes());
  if (/^CONFIG_KPROBE_EVENTS=y$/m.test(laneConfig()))
    assert.equal(f.kprobes, true, 'the lane kernel is built with kprobe events');
  if (f.kprobes) {
    assert.equal(f.kprobesMissing, null);
    assert.equal(f.kretprobes, true);
  } else {
    assert.match(f.kprobesMissing ?? '', /CONFIG_KPROBES/);
    assert.equal(f.kprobePmu, null);
  }
  if (f.uprobes) assert.equal(typeof f.uprobePmu, 'number');
});

test('kallsyms on this kernel: vfs_read is a unique text symbol; duplicate names exist', async (t) => {
  if (process.getuid?.() !== 0) return t.skip('needs root (kallsyms addresses)');
  const k = await loadKallsyms();
  const vfsRead = k.functions('vfs_read');
  assert.equal(vfsRead.length, 1);
  assert.match(vfsRead[0]?.type ?? '', /^[Tt]$/);
  assert.notEqual(vfsRead[0]?.address, 0n);
  assert.ok(k.size > 10_000);
  const dup = k.duplicateFunctionNames()[0];
  assert.ok(dup, 'some static function name is defined twice');
  assert.ok(k.functions(dup).length > 1);
});

test('preflight on a kernel without kprobes: E_NO_KPROBES, exit 1, suggests the openat tracepoint', async (t) => {
  const why = whyNoTracing(['syscalls']);
  if (why) return t.skip(why);
  if (hasKprobes())
    return t.skip('this kernel has kprobes (the no-kprobes path runs on the development machine)');
  const facts = await gatherFunctionFacts(tracefsRoot() as string);
  const e = expectCode(() => preflightKernelFunction('do_sys_openat2', facts), 'E_NO_KPROBES');
  assert.equal(e.exitCode, 1);
  assert.match(
    e.message,
    /^kprobes are not available: this kernel was built without CONFIG_KPROBES/,
  );
  assert.ok(e.suggestions.includes('t:syscalls:sys_enter_openat'));
  assert.match(e.hint ?? '', /t:syscalls:sys_enter_openat/);
});

test('preflight names against this kernel: unknown function with near names, duplicate, syscall wrapper', async (t) => {
  const why = whyNoTracing();
  if (why) return t.skip(why);
  const gathered = await gatherFunctionFacts(tracefsRoot() as string, { mountDebugfs: true });
  // Name checks use kallsyms only, so they run here too: pretend kprobes exist.
  const facts = {
    ...gathered,
    features: { ...gathered.features, kprobes: true, kretprobes: true },
  };
  const e = expectCode(() => preflightKernelFunction('vfs_raed', facts), 'E_NO_SUCH_FUNCTION');
  assert.ok(e.suggestions.includes('k:vfs_read'), e.suggestions.join());
  const dup = facts.kallsyms
    .duplicateFunctionNames()
    .find((n) => facts.kallsyms.functions(n).every((x) => x.module === null));
  if (dup) {
    const d = expectCode(() => preflightKernelFunction(dup, facts), 'E_NOT_UNIQUE');
    assert.ok(d.suggestions.every((s) => /^k:0x[0-9a-f]+$/.test(s)));
  }
  if (process.arch === 'x64' && facts.kallsyms.functions('__x64_sys_openat').length === 1) {
    const w = expectCode(() => preflightKernelFunction('sys_openat', facts), 'E_NO_SUCH_FUNCTION');
    assert.ok(w.suggestions.includes('k:__x64_sys_openat'));
  }
});

test('QEMU lane: kprobe preflight passes for do_sys_openat2 and refuses a blacklisted function', async (t) => {
  const why = whyNoTracing(['kprobes']);
  if (why) return t.skip(why);
  const facts = await gatherFunctionFacts(tracefsRoot() as string, { mountDebugfs: true });
  const ok = preflightKernelFunction('do_sys_openat2', facts);
  assert.notEqual(ok.address, 0n);
  assert.ok(
    facts.blacklist.ok,
    `blacklist readable: ${facts.blacklist.ok ? '' : facts.blacklist.reason}`,
  );
  if (!facts.blacklist.ok) return;
  const entry = facts.blacklist.blacklist.entries.find(
    (b) => b.module === null && facts.kallsyms.functions(b.symbol).length === 1,
  );
  assert.ok(entry, 'a blacklisted vmlinux function with a unique name');
  const e = expectCode(() => preflightKernelFunction(entry?.symbol ?? '', facts), 'E_BLACKLISTED');
  assert.match(e.message, /kprobe blacklist/);
  const r = expectCode(
    () => preflightKernelFunction(entry?.symbol ?? '', facts, 'kretprobe'),
    'E_BLACKLISTED',
  );
  assert.equal(r.exitCode, 1);
});

test('tracepoint preflight: near names for an unknown event, field checks on sys_enter_openat', async (t) => {
  const why = whyNoTracing(['syscalls']);
  if (why) return t.skip(why);
  const root = tracefsRoot() as string;
  const ok = await preflightTracepoint('syscalls', 'sys_enter_openat', ['filename', 'flags'], root);
  assert.ok(ok.fields.some((f) => f.name === 'dfd'));
  await assert.rejects(
    preflightTracepoint('syscalls', 'sys_enter_opnat', [], root),
    (e: PreflightError) => {
      assert.equal(e.code, 'E_NO_SUCH_TRACEPOINT');
      assert.equal(e.suggestions[0], 't:syscalls:sys_enter_openat');
      return true;
    },
  );
  await assert.rejects(
    preflightTracepoint('syscall', 'sys_enter_openat', [], root),
    (e: PreflightError) => {
      assert.equal(e.code, 'E_NO_SUCH_TRACEPOINT');
      assert.deepEqual(e.suggestions, ['t:syscalls:sys_enter_openat']);
      return true;
    },
  );
  await assert.rejects(
    preflightTracepoint('syscalls', 'sys_enter_openat', ['flagz'], root),
    (e: PreflightError) => {
      assert.equal(e.code, 'E_NO_SUCH_FIELD');
      assert.deepEqual(e.suggestions, ['flags']);
      assert.match(e.hint ?? '', /dfd, filename, flags, mode/);
      return true;
    },
  );
});
