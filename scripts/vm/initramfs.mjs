// Builds the guest's root file system: a tiny initramfs with a static busybox,
// the init script, the kernel's 9p modules (already decompressed) and the few
// /etc files Node.js looks at. Everything else comes from the host's /usr over 9p.
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { CpioWriter } from './cpio.mjs';

const HERE = dirname(fileURLToPath(import.meta.url));

/** Debian 12 is usr-merged: these top-level names are links into the shared /usr. */
const USR_LINKS = { bin: 'usr/bin', sbin: 'usr/sbin', lib: 'usr/lib', lib64: 'usr/lib64' };

const EMPTY_DIRS = ['dev', 'proc', 'sys', 'tmp', 'run', 'usr', 'root', 'results', 'boot', 'etc'];

const ETC = {
  passwd: 'root:x:0:0:root:/root:/bin/sh\n',
  group: 'root:x:0:\n',
  hosts: '127.0.0.1 localhost\n::1 localhost\n',
};

/** Single-quotes a value for a POSIX shell. */
function shellQuote(s) {
  return `'${String(s).replaceAll("'", "'\\''")}'`;
}

/**
 * Returns the initramfs bytes for one kernel.
 * kernel: a cached kernel from ensureKernels(); busybox: path of a static busybox;
 * project: absolute project path (mounted at the same path); files: test files relative to it.
 */
export function buildInitramfs({ kernel, busybox, project, files, label }) {
  const cpio = new CpioWriter();
  for (const d of EMPTY_DIRS) cpio.dir(d);
  cpio.charDevice('dev/console', 5, 1);
  cpio.charDevice('dev/null', 1, 3, 0o666);
  for (const [name, target] of Object.entries(USR_LINKS)) cpio.symlink(name, target);
  for (const [name, text] of Object.entries(ETC)) cpio.file(`etc/${name}`, text);
  // The host's loader cache describes exactly the /usr the guest sees.
  if (existsSync('/etc/ld.so.cache'))
    cpio.file('etc/ld.so.cache', readFileSync('/etc/ld.so.cache'));
  // Where probekit looks for the running kernel's config.
  cpio.file(`boot/config-${kernel.release}`, readFileSync(join(kernel.dir, 'config')));

  cpio.dir('vm');
  cpio.file('vm/busybox', readFileSync(busybox), 0o755);
  cpio.dir('vm/modules');
  for (const m of kernel.modules)
    cpio.file(`vm/modules/${m}`, readFileSync(join(kernel.dir, 'modules', m)));
  cpio.file('vm/modules.load', `${kernel.modules.join('\n')}\n`);
  cpio.file('vm/files', `${files.join('\n')}\n`);
  cpio.file(
    'vm/lane.env',
    `LANE_KERNEL=${shellQuote(label)}\nLANE_PROJECT=${shellQuote(project)}\n`,
  );
  cpio.file('init', readFileSync(join(HERE, 'guest-init.sh')), 0o755);
  return cpio.toBuffer();
}
