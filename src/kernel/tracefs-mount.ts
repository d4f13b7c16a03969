/**
 * Finding tracefs and debugfs. Never assumes a path: /proc/mounts decides.
 * tracefs is preferred; a debugfs mount serves through its `tracing/`
 * directory (which the kernel automounts). When neither is there, we may mount
 * one ourselves (root only, and only when the caller allows it); the result
 * says so, because whoever mounted it should know (we never unmount: other
 * tools may start using it).
 *
 *   locateTracefs({ mount: true }) → { path: '/sys/kernel/tracing', mounted: false, via: 'tracefs' }
 *   findTracefs()                  → '/sys/kernel/tracing'   (the path only)
 */
import { execFile } from 'node:child_process';
import { readFile, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { KernelError, UnsupportedError } from '../errors.js';
import { type MountEntry, mountsOfType, parseMounts } from './mounts.js';
import { KERNEL_PATHS } from './paths.js';
import { type Privileges, privilegesFromStatus } from './privileges.js';

export interface FsLocation {
  /** The directory to use (tracefs root, or debugfs root for `locateDebugfs`). */
  readonly path: string;
  /** True when probekit mounted it during this call. */
  readonly mounted: boolean;
  /** Which mount serves it: tracefs itself, or `<debugfs>/tracing`. */
  readonly via: 'tracefs' | 'debugfs';
}

export interface LocateOptions {
  /** Mount the filesystem when nothing has (root only). Default false. */
  readonly mount?: boolean;
  /** /proc/mounts text, for tests; read from the system when absent. */
  readonly mountsText?: string;
  /** Where to mount when needed; defaults to /sys/kernel/tracing or /sys/kernel/debug. */
  readonly mountPoint?: string;
  /** Our privileges, for tests; read from /proc/self/status when absent. */
  readonly privileges?: Privileges;
}

async function isDir(p: string): Promise<boolean> {
  try {
    return (await stat(p)).isDirectory();
  } catch {
    return false;
  }
}

async function readMounts(opts: LocateOptions): Promise<MountEntry[]> {
  return parseMounts(opts.mountsText ?? (await readFile(KERNEL_PATHS.mounts, 'utf8')));
}

async function currentPrivileges(opts: LocateOptions): Promise<Privileges> {
  if (opts.privileges) return opts.privileges;
  return privilegesFromStatus(await readFile(KERNEL_PATHS.status, 'utf8').catch(() => ''));
}

/** Whether the kernel knows a filesystem type (/proc/filesystems); null when unreadable. */
async function kernelHasFilesystem(fstype: string): Promise<boolean | null> {
  try {
    const text = await readFile(KERNEL_PATHS.filesystems, 'utf8');
    return text.split('\n').some((l) => l.trim().split(/\s+/).pop() === fstype);
  } catch {
    return null;
  }
}

const execFileP = promisify(execFile);

/** mount(8): Node has no mount(2), and this is the only process probekit runs here. */
async function mountFs(fstype: 'tracefs' | 'debugfs', point: string): Promise<void> {
  try {
    await execFileP('mount', ['-t', fstype, 'nodev', point], { timeout: 10_000 });
  } catch (e) {
    const stderr = (e as { stderr?: string }).stderr?.trim();
    throw new KernelError(
      'E_MOUNT_FAILED',
      `could not mount ${fstype} at ${point}${stderr ? `: ${stderr}` : ''}`,
      {
        hint: `mount it yourself: mount -t ${fstype} nodev ${point}`,
        cause: e,
        details: { fstype, mountPoint: point },
      },
    );
  }
}

/** The first mount of `fstype`, preferring the conventional path when several exist. */
function pick(paths: readonly string[], preferred: string): string | undefined {
  return paths.includes(preferred) ? preferred : paths[0];
}

async function mountOrRefuse(
  fstype: 'tracefs' | 'debugfs',
  why: string,
  opts: LocateOptions,
): Promise<string> {
  const point =
    opts.mountPoint ??
    (fstype === 'tracefs' ? KERNEL_PATHS.tracefsMountPoint : KERNEL_PATHS.debugfsMountPoint);
  const command = `mount -t ${fstype} nodev ${point}`;
  const known = await kernelHasFilesystem(fstype);
  if (known === false) {
    throw new UnsupportedError(
      fstype,
      `this kernel has no ${fstype} (${fstype === 'tracefs' ? 'CONFIG_TRACING' : 'CONFIG_DEBUG_FS'} is off): ${why}`,
      {
        hint: 'use a kernel built with tracing support (any distribution kernel has it)',
      },
    );
  }
  const privileges = await currentPrivileges(opts);
  if (!opts.mount || !privileges.sysAdmin) {
    const needRoot = !privileges.sysAdmin;
    throw new UnsupportedError(fstype, `${fstype} is not mounted: ${why}`, {
      hint: needRoot
        ? `run probekit as root so it can mount ${fstype}, or mount it: sudo ${command}`
        : `mount it: ${command}`,
      details: { mountPoint: point },
    });
  }
  if (!(await isDir(point))) {
    throw new UnsupportedError(
      fstype,
      `${fstype} is not mounted and ${point} does not exist to mount it on`,
      {
        hint: `create a directory and mount it: mkdir -p ${point} && ${command}`,
      },
    );
  }
  await mountFs(fstype, point);
  return point;
}

/** Finds tracefs; mounts it at /sys/kernel/tracing when allowed and needed. */
export async function locateTracefs(opts: LocateOptions = {}): Promise<FsLocation> {
  const mounts = await readMounts(opts);
  const tracefs = pick(mountsOfType(mounts, 'tracefs'), KERNEL_PATHS.tracefsMountPoint);
  if (tracefs !== undefined) return { path: tracefs, mounted: false, via: 'tracefs' };
  for (const debugfs of mountsOfType(mounts, 'debugfs')) {
    const p = join(debugfs, 'tracing');
    if (await isDir(p)) return { path: p, mounted: false, via: 'debugfs' };
  }
  const path = await mountOrRefuse(
    'tracefs',
    'probes, tracepoints and their output live there',
    opts,
  );
  return { path, mounted: true, via: 'tracefs' };
}

/** The tracefs root path (see `locateTracefs` for whether we mounted it). */
export async function findTracefs(opts: LocateOptions = {}): Promise<string> {
  return (await locateTracefs(opts)).path;
}

/** Finds debugfs (for `kprobes/blacklist`); mounts it at /sys/kernel/debug when allowed and needed. */
export async function locateDebugfs(opts: LocateOptions = {}): Promise<FsLocation> {
  const mounts = await readMounts(opts);
  const debugfs = pick(mountsOfType(mounts, 'debugfs'), KERNEL_PATHS.debugfsMountPoint);
  if (debugfs !== undefined) return { path: debugfs, mounted: false, via: 'debugfs' };
  const path = await mountOrRefuse(
    'debugfs',
    'the kprobe blacklist (kprobes/blacklist) lives there',
    opts,
  );
  return { path, mounted: true, via: 'debugfs' };
}

/** The debugfs root path. */
export async function findDebugfs(opts: LocateOptions = {}): Promise<string> {
  return (await locateDebugfs(opts)).path;
}
