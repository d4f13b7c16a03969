/**
 * BTF-typed kprobes on a real kernel: member paths read through BTF offsets,
 * syscall arguments read by name through a pt_regs wrapper, and errno names
 * for kretprobe return values. This machine has no kprobes: these run in the
 * QEMU lane (Debian 6.1 and 6.12 guests, `npm run test:vm`).
 */
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { jsonLines, runCli } from '../helpers/cli.js';
import { whyNoTracing } from '../helpers/live.js';

function whyNot(): string | null {
  const why = whyNoTracing(['kprobes']);
  if (why) return why;
  if (!existsSync('/sys/kernel/btf/vmlinux'))
    return 'needs kernel BTF (/sys/kernel/btf/vmlinux, CONFIG_DEBUG_INFO_BTF)';
  if (process.arch !== 'x64') return 'the syscall wrapper names here are x86_64 ones';
  return null;
}

const skip = whyNot();

/** A node script the traced child runs, in a fresh temp dir. */
function script(body: string): { dir: string; file: string } {
  const dir = mkdtempSync(join(tmpdir(), 'pkbtf-'));
  const file = join(dir, 'child.cjs');
  writeFileSync(file, `const fs = require('node:fs');\n${body}\n`);
  return { dir, file };
}

type Fields = Record<string, unknown>;

test('k:vfs_read(file->f_path.dentry->d_name.name:string, count) names the file read', {
  skip: skip ?? false,
}, async () => {
  const { dir, file } = script(`
const f = process.argv[2];
for (let i = 0; i < 3; i++) {
  const fd = fs.openSync(f, 'r');
  fs.readSync(fd, Buffer.alloc(123), 0, 123, null);
  fs.closeSync(fd);
}`);
  const known = join(dir, 'pk-known.txt');
  writeFileSync(known, 'x'.repeat(500));
  const r = await runCli(
    [
      'trace',
      'k:vfs_read(file->f_path.dentry->d_name.name:string, count)',
      'k:vfs_read',
      '--json',
      '-c',
      `${process.execPath} ${file} ${known}`,
    ],
    { timeoutMs: 120_000 },
  );
  assert.equal(r.code, 0, r.stderr);
  const events = jsonLines(r.stdout).filter((e) => e['type'] === 'event');
  const named = events.filter((e) => e['probe'] !== 'k:vfs_read');
  const ours = named
    .map((e) => e['fields'] as Fields)
    .filter((f) => f['file_f_path_dentry_d_name_name'] === 'pk-known.txt');
  assert.deepEqual(
    ours,
    [1, 2, 3].map(() => ({ file_f_path_dentry_d_name_name: 'pk-known.txt', count: 123 })),
    `vfs_read events naming the file, of ${events.length}`,
  );
  // The bare probe records every parameter, typed from the prototype.
  const bare = events.filter((e) => e['probe'] === 'k:vfs_read').map((e) => e['fields'] as Fields);
  assert.ok(bare.length >= named.length, 'the bare probe fires with the other');
  assert.deepEqual(Object.keys(bare[0] ?? {}), ['file', 'buf', 'count', 'pos']);
  assert.ok(bare.filter((f) => f['count'] === 123).length >= 3, 'count typed as a number');
  const summary = jsonLines(r.stdout).at(-1);
  assert.equal(summary?.['type'], 'summary');
  assert.equal(summary?.['probes_removed'], 2);
});

test('k:__x64_sys_openat(dfd, filename:ustring) by name, and kr:do_sys_openat2 shows ENOENT', {
  skip: skip ?? false,
}, async () => {
  const missing = `/nonexistent-pk/missing-${process.pid}`;
  const { file } = script(`
try { fs.openSync(${JSON.stringify(missing)}, 'r'); } catch (e) { if (e.code !== 'ENOENT') throw e; }`);
  const specs = ['k:__x64_sys_openat(dfd, filename:ustring)', 'kr:do_sys_openat2'];
  const r = await runCli(['trace', ...specs, '--json', '-c', `${process.execPath} ${file}`], {
    timeoutMs: 120_000,
  });
  assert.equal(r.code, 0, r.stderr);
  const events = jsonLines(r.stdout).filter((e) => e['type'] === 'event');
  const i = events.findIndex(
    (e) => (e['fields'] as Fields)['filename'] === missing && e['probe'] === specs[0],
  );
  assert.ok(i >= 0, `an openat entry naming ${missing} among ${events.length} events`);
  const entry = events[i]!;
  assert.equal((entry['fields'] as Fields)['dfd'], -100, 'AT_FDCWD, read as s32 from regs->di');
  const ret = events.slice(i + 1).find((e) => e['probe'] === specs[1] && e['tid'] === entry['tid']);
  assert.ok(ret, 'the return of that open');
  assert.equal((ret['fields'] as Fields)['retval'], -2);
  assert.equal(ret['retval_errno'], 'ENOENT');

  // Text output names the errno after the number.
  const text = await runCli(['trace', specs[1]!, '-c', `${process.execPath} ${file}`], {
    timeoutMs: 120_000,
  });
  assert.equal(text.code, 0, text.stderr);
  assert.match(text.stdout, / retval=-2 ENOENT\n/);
});
