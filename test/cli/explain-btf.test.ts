/** `probekit explain` with this machine's kernel BTF: prototypes, names, member offsets. */
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { Writable } from 'node:stream';
import { test } from 'node:test';
import { hostArch } from '../../src/arch/index.js';
import { main } from '../../src/cli/main.js';

class Capture extends Writable {
  text = '';
  override _write(chunk: Buffer | string, _enc: BufferEncoding, done: () => void): void {
    this.text += chunk.toString();
    done();
  }
}

async function run(...argv: string[]): Promise<{ code: number; out: string; err: string }> {
  const stdout = new Capture();
  const stderr = new Capture();
  const code = await main(['explain', ...argv], { stdout, stderr });
  return { code, out: stdout.text, err: stderr.text };
}

const haveBtf = existsSync('/sys/kernel/btf/vmlinux');
const onX86 = hostArch().name === 'x86_64';
const SKIP = 'needs kernel BTF (/sys/kernel/btf/vmlinux) on an x86_64 host';

test('k:vfs_read: the C prototype, then each argument typed from it', async (t) => {
  if (!haveBtf || !onX86) return t.skip(SKIP);
  const r = await run('k:vfs_read(count, file)');
  assert.equal(r.code, 0, r.err);
  const lines = r.out.split('\n');
  assert.equal(lines[1], '  kprobe on vfs_read, x86_64, kernel calling convention');
  assert.equal(
    lines[2],
    '  ssize_t vfs_read(struct file *file, char *buf, size_t count, loff_t *pos);',
  );
  assert.match(r.out, /\n {2}count +3rd argument +%dx +regs->dx +rdx +%dx:u64\n/);
  assert.match(r.out, /\n {2}file +1st argument +%di +regs->di +rdi +%di:x64\n/);
  assert.ok(r.out.includes('count: type u64 from the prototype (size_t count)'));
});

test('a member path shows its offsets; a bad member gets a caret and the member list', async (t) => {
  if (!haveBtf || !onX86) return t.skip(SKIP);
  const r = await run('k:vfs_read(file->f_path.dentry->d_name.name)');
  assert.equal(r.code, 0, r.err);
  assert.match(
    r.out,
    /member offsets from BTF: ->f_path \+\d+ \.dentry \+\d+ ->d_name \+\d+ \.name \+\d+ \(const unsigned char \*\)/,
  );
  assert.match(r.out, /=\+0\(\+\d+\(\+\d+\(%di\)\)\):string\n/);
  const bad = await run('k:vfs_read(file->f_pth)');
  assert.equal(bad.code, 2);
  assert.ok(bad.err.includes("struct file has no member 'f_pth'"), bad.err);
  assert.ok(bad.err.includes('  k:vfs_read(file->f_pth)\n                 ^~~~~~~\n'), bad.err);
  assert.match(bad.err, /hint: members: .*\bf_path\b/);
});

test('another --arch, or --no-btf: no BTF, names by position, and it says so', async (t) => {
  if (!haveBtf || !onX86) return t.skip(SKIP);
  const arm = await run('k:vfs_read(count, file)', '--arch', 'arm64');
  assert.equal(arm.code, 0);
  assert.ok(
    arm.out.includes(
      '  prototype not read (BTF describes this x86_64 kernel, not arm64): names are taken by position\n',
    ),
  );
  assert.match(arm.out, /count +1st argument +%x0/);
  const off = await run('k:vfs_read(count, file)', '--no-btf');
  assert.ok(off.out.includes('  prototype not read (--no-btf): names are taken by position\n'));
});

test('u: arguments are positional and untyped, and explain says so', async () => {
  const r = await run('u:/bin/true:main(a, b)', '--arch', 'x86_64');
  assert.equal(r.code, 0);
  assert.ok(
    r.out.includes(
      'user-space function: no BTF, so arguments are taken by position and read untyped (give :TYPE)',
    ),
  );
  assert.match(r.out, / a=%di b=%si\n/);
});

test('k:__x64_sys_openat(dfd, filename): syscall arguments through pt_regs (needs tracefs)', async (t) => {
  if (!haveBtf || !onX86) return t.skip(SKIP);
  if (!existsSync('/sys/kernel/tracing/events/syscalls/sys_enter_openat/format'))
    return t.skip('needs the syscall tracepoint format under /sys/kernel/tracing (root)');
  const r = await run('k:__x64_sys_openat(dfd, filename)');
  assert.equal(r.code, 0, r.err);
  assert.ok(r.out.includes('  long int __x64_sys_openat(const struct pt_regs *regs);'));
  assert.ok(
    r.out.includes(
      'a syscall wrapper: the arguments of syscall openat (dfd, filename, flags, mode) are read through its struct pt_regs *',
    ),
  );
  assert.match(r.out, /\n {2}dfd +syscall arg 1 +- +regs->di +- +\+112\(%di\):s32\n/);
  assert.match(
    r.out,
    /\n {2}filename +syscall arg 2 +- +regs->si +- +\+0\(\+104\(%di\)\):ustring\n/,
  );
});
