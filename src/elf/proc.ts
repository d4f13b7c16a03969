/**
 * Files as another process sees them: its mapped files (/proc/PID/maps) and
 * paths inside its root (/proc/PID/root), so binaries in containers resolve.
 */
import { lstatSync, readFileSync, readlinkSync, statSync } from 'node:fs';
import { errnoCode } from '../errors.js';
import { elfUsageError } from './errors.js';

const MAX_SYMLINKS = 40;

function checkPid(pid: number): void {
  if (!Number.isSafeInteger(pid) || pid <= 0) {
    throw elfUsageError(
      'E_ELF_NO_PROCESS',
      `invalid pid ${pid}`,
      'give the numeric id of a running process',
      { pid },
    );
  }
}

function noProcess(pid: number, cause: unknown): Error {
  const code = errnoCode(cause);
  return elfUsageError(
    'E_ELF_NO_PROCESS',
    code === 'EACCES' || code === 'EPERM'
      ? `cannot look into process ${pid}: permission denied`
      : `no process with pid ${pid}`,
    code === 'EACCES' || code === 'EPERM'
      ? 'run as root or as the owner of the process'
      : 'check the pid with `ps`',
    { pid, errno: code },
  );
}

export interface MappedFile {
  /** As /proc/PID/maps prints it: from our root when the file is reachable from it (chroot), else from the process's mount namespace root (containers). */
  readonly path: string;
  readonly inode: number;
}

/** The distinct files mapped by a process, in map order (deleted files left out). */
export function mappedFiles(pid: number): MappedFile[] {
  checkPid(pid);
  let text: string;
  try {
    text = readFileSync(`/proc/${pid}/maps`, 'utf8');
  } catch (e) {
    throw noProcess(pid, e);
  }
  const seen = new Map<string, MappedFile>();
  for (const line of text.split('\n')) {
    // address perms offset dev inode [path] — the path may contain spaces.
    const m = /^\S+\s+\S+\s+\S+\s+\S+\s+(\d+)\s+(\/.*)$/.exec(line);
    if (m?.[2] === undefined || m[2].endsWith(' (deleted)')) continue;
    if (!seen.has(m[2])) seen.set(m[2], { path: m[2], inode: Number(m[1]) });
  }
  return [...seen.values()];
}

/** A path we can open for a mapped file: checked by inode, since maps paths may be in either view. */
export function openableMappedFile(pid: number, f: MappedFile): string | undefined {
  for (const p of [pathInProcess(pid, f.path), f.path]) {
    try {
      if (statSync(p).ino === f.inode) return p;
    } catch {}
  }
  return undefined;
}

/** True when the process shares our root directory (no container, no chroot). */
export function sharesRoot(pid: number): boolean {
  checkPid(pid);
  try {
    const theirs = statSync(`/proc/${pid}/root`);
    const ours = statSync('/');
    return theirs.dev === ours.dev && theirs.ino === ours.ino;
  } catch (e) {
    throw noProcess(pid, e);
  }
}

/**
 * A path as seen by process `pid`, made openable from here. With the same root,
 * the path itself; otherwise `/proc/PID/root/...` with every symlink resolved
 * inside that root (an absolute link target is relative to the process's root,
 * which the kernel would get wrong if it followed it from ours).
 */
export function pathInProcess(pid: number, path: string): string {
  if (sharesRoot(pid)) return path;
  const root = `/proc/${pid}/root`;
  const todo = path.split('/').filter((c) => c !== '' && c !== '.');
  const done: string[] = [];
  let links = 0;
  while (todo.length > 0) {
    const c = todo.shift()!;
    if (c === '..') {
      done.pop();
      continue;
    }
    const here = `${root}/${[...done, c].join('/')}`;
    let st: ReturnType<typeof lstatSync>;
    try {
      st = lstatSync(here);
    } catch {
      // Let the caller report the missing file with the whole path.
      return `${root}/${[...done, c, ...todo].join('/')}`;
    }
    if (!st.isSymbolicLink()) {
      done.push(c);
      continue;
    }
    if (++links > MAX_SYMLINKS) {
      throw elfUsageError(
        'E_ELF_FILE_NOT_FOUND',
        `${path} in process ${pid}: too many levels of symbolic links`,
        'check the path',
        { pid, file: path },
      );
    }
    const target = readlinkSync(here);
    if (target.startsWith('/')) done.length = 0;
    todo.unshift(...target.split('/').filter((x) => x !== '' && x !== '.'));
  }
  return `${root}/${done.join('/')}`;
}
