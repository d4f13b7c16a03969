// Makes sure the host has what the lane runs: QEMU, a static busybox for the
// guest's init, the decompressors for Debian's compressed modules, and bpftool
// (the guests run the host's /usr, and the BPF tests list objects with it).
// Missing pieces are installed from Debian's packages (root only).
import { existsSync, readFileSync } from 'node:fs';
import { hasCommand, log, run } from './proc.mjs';

/** What the lane needs on the host, and the Debian package that provides it. */
export const HOST_NEEDS = [
  {
    what: 'qemu-system-x86_64',
    pkg: 'qemu-system-x86',
    present: () => hasCommand('qemu-system-x86_64'),
  },
  { what: 'a static busybox', pkg: 'busybox-static', present: () => staticBusybox() !== null },
  { what: 'xz', pkg: 'xz-utils', present: () => hasCommand('xz') },
  { what: 'zstd', pkg: 'zstd', present: () => hasCommand('zstd') },
  {
    what: 'bpftool under /usr (the guests see only the host /usr)',
    pkg: 'bpftool',
    present: () => ['/usr/sbin/bpftool', '/usr/bin/bpftool'].some((p) => existsSync(p)),
  },
];

const BUSYBOX_PATHS = ['/usr/bin/busybox', '/bin/busybox'];
const PT_INTERP = 3; // program header type naming a dynamic loader

/** True when the ELF file at `path` has no PT_INTERP header (it runs without ld.so and libc). */
function isStaticElf(path) {
  let image;
  try {
    image = readFileSync(path);
  } catch {
    return false;
  }
  if (image.length < 0x40 || image.readUInt32BE(0) !== 0x7f454c46 || image[4] !== 2) return false;
  const dv = new DataView(image.buffer, image.byteOffset, image.byteLength);
  const phoff = Number(dv.getBigUint64(0x20, true)); // e_phoff
  const phentsize = dv.getUint16(0x36, true); // e_phentsize
  const phnum = dv.getUint16(0x38, true); // e_phnum
  for (let i = 0; i < phnum; i++) {
    if (dv.getUint32(phoff + i * phentsize, true) === PT_INTERP) return false;
  }
  return true;
}

/** Path of a statically linked busybox, or null. */
export function staticBusybox() {
  return BUSYBOX_PATHS.find(isStaticElf) ?? null;
}

async function aptInstall(pkgs) {
  const env = { ...process.env, DEBIAN_FRONTEND: 'noninteractive' };
  const args = ['install', '-y', '-q', '--no-install-recommends', ...pkgs];
  let r = await run('apt-get', args, { env });
  if (r.code !== 0) {
    log('apt-get install failed; running apt-get update and trying again');
    await run('apt-get', ['update', '-q'], { env });
    r = await run('apt-get', args, { env });
  }
  if (r.code !== 0) {
    throw new Error(`apt-get install ${pkgs.join(' ')} failed:\n${r.stderr.trim().slice(-2000)}`);
  }
}

/** Installs whatever of HOST_NEEDS is missing; throws with what to do when it cannot. */
export async function ensureHostTools() {
  const missing = HOST_NEEDS.filter((n) => !n.present());
  if (missing.length === 0) return [];
  const pkgs = missing.map((n) => n.pkg);
  if (process.getuid?.() !== 0) {
    throw new Error(
      `missing ${missing.map((n) => n.what).join(', ')}; install as root: apt-get install ${pkgs.join(' ')}`,
    );
  }
  log(`installing ${pkgs.join(' ')}`);
  await aptInstall(pkgs);
  const still = missing.filter((n) => !n.present());
  if (still.length > 0) {
    throw new Error(`still missing after install: ${still.map((n) => n.what).join(', ')}`);
  }
  return pkgs;
}
