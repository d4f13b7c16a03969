/** Paths, short names, pids and container roots. */
import assert from 'node:assert/strict';
import { type ChildProcess, execFileSync, spawn } from 'node:child_process';
import { mkdirSync, statSync, symlinkSync, writeFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { describe, test } from 'node:test';
import { readElfFile, resolveLibrary, resolveUprobeTarget } from '../../src/elf/index.js';
import { ProbekitError } from '../../src/errors.js';
import { have, tempDir } from './helpers.js';

function code(fn: () => unknown): string {
  try {
    fn();
  } catch (e) {
    assert.ok(e instanceof ProbekitError, String(e));
    return `${e.code}: ${e.message}`;
  }
  return 'no error';
}

describe('resolveLibrary with paths', () => {
  test('absolute and relative paths must exist, be regular files and be ELF', () => {
    const { dir, cleanup } = tempDir('lib');
    try {
      const txt = join(dir, 'notes.txt');
      writeFileSync(txt, 'hello');
      const self = process.execPath;
      assert.equal(resolveLibrary(self), self);
      const rel = relative(process.cwd(), self);
      assert.equal(resolveLibrary(rel.includes('/') ? rel : `./${rel}`), self);
      assert.equal(
        code(() => resolveLibrary(txt)),
        `E_ELF_NOT_ELF: ${txt}: not an ELF file: it starts with bytes 68 65 6c 6c, not 7f 45 4c 46 ("\\x7fELF")`,
      );
      assert.equal(
        code(() => resolveLibrary(dir)),
        `E_ELF_NOT_REGULAR: ${dir}: not a regular file (it is a directory)`,
      );
      assert.equal(
        code(() => resolveLibrary(join(dir, 'gone'))),
        `E_ELF_FILE_NOT_FOUND: ${join(dir, 'gone')}: no such file`,
      );
      assert.equal(
        code(() => resolveLibrary('/dev/null')),
        'E_ELF_NOT_REGULAR: /dev/null: not a regular file (it is a special file)',
      );
      assert.equal(
        code(() => resolveLibrary('')),
        'E_ELF_FILE_NOT_FOUND: empty library name or path',
      );
    } finally {
      cleanup();
    }
  });

  test('a program name is looked up on $PATH', { skip: have('ls') ? false : 'needs ls' }, () => {
    const p = resolveLibrary('ls');
    assert.match(p, /\/ls$/);
    assert.equal(
      readElfFile(p).header.type === 'DYN' || readElfFile(p).header.type === 'EXEC',
      true,
    );
  });

  test('a name nothing matches', () => {
    assert.match(
      code(() => resolveLibrary('no_such_library_xyz')),
      /^E_ELF_LIBRARY_NOT_FOUND: no library or program named no_such_library_xyz \(looked in /,
    );
  });

  test('a pid that does not exist, and one that is not a number', () => {
    assert.equal(
      code(() => resolveLibrary('libc', { pid: 0x3ffffff0 })),
      'E_ELF_NO_PROCESS: no process with pid 1073741808',
    );
    assert.equal(
      code(() => resolveLibrary('libc', { pid: -1 })),
      'E_ELF_NO_PROCESS: invalid pid -1',
    );
  });

  test('with our own pid, a path is used as is (same root)', () => {
    assert.equal(resolveLibrary(process.execPath, { pid: process.pid }), process.execPath);
  });
});

describe('a process in another root (chroot)', () => {
  const skip =
    process.getuid?.() !== 0
      ? 'needs root (chroot)'
      : !have('gcc') || !have('chroot')
        ? 'needs gcc and chroot'
        : false;
  test('paths resolve under /proc/PID/root, absolute symlinks inside the root included', {
    skip,
  }, async (t) => {
    const { dir, cleanup } = tempDir('root');
    let child: ChildProcess | undefined;
    try {
      writeFileSync(
        join(dir, 'w.c'),
        '#include <unistd.h>\nint waiter(void){return pause();}\nint main(void){return waiter();}\n',
      );
      mkdirSync(join(dir, 'usr/bin'), { recursive: true });
      try {
        execFileSync('gcc', ['-static', '-O1', '-o', 'usr/bin/waiter', 'w.c'], {
          cwd: dir,
          stdio: 'pipe',
        });
      } catch {
        t.skip('needs a static libc (libc6-dev) for gcc -static');
        return;
      }
      // /bin → /usr/bin as an absolute link, meaningful only inside the root.
      symlinkSync('/usr/bin', join(dir, 'bin'));
      child = spawn('chroot', [dir, '/bin/waiter'], { stdio: 'ignore' });
      const pid = child.pid!;
      // Wait until the child has exec'd into the new root.
      for (let i = 0; i < 100; i++) {
        try {
          if (
            execFileSync('readlink', [`/proc/${pid}/exe`], { encoding: 'utf8' }).includes('waiter')
          )
            break;
        } catch {}
        await new Promise((r) => setTimeout(r, 20));
      }
      const p = resolveLibrary('/bin/waiter', { pid });
      assert.equal(p, `/proc/${pid}/root/usr/bin/waiter`);
      const target = resolveUprobeTarget('/bin/waiter', 'waiter', 0n, { pid });
      assert.equal(target.path, `/proc/${pid}/root/usr/bin/waiter`);
      assert.equal(target.symbol?.name, 'waiter');
      // From the maps (a chroot's maps print paths from our root): the program itself, checked by inode.
      const mapped = resolveLibrary('waiter', { pid });
      assert.equal(statSync(mapped).ino, statSync(join(dir, 'usr/bin/waiter')).ino);
      assert.match(
        code(() => resolveLibrary('/bin/nothing', { pid })),
        /^E_ELF_FILE_NOT_FOUND: \/bin\/nothing \(in process \d+\): no such file$/,
      );
    } finally {
      child?.kill('SIGKILL');
      cleanup();
    }
  });
});
