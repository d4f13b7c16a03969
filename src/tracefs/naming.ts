/**
 * Ownership by name: every run owns the group and the instance named
 * `probekit_<pid>_<random>`. Only names of exactly this shape are ever swept,
 * and only when their owner process is gone.
 */
import { randomBytes } from 'node:crypto';

const OWNED = /^probekit_(\d+)_([0-9a-z]{4,12})$/;

export function newRunName(pid: number = process.pid): string {
  return `probekit_${pid}_${randomBytes(4).toString('hex')}`;
}

/** The owner pid of a probekit run name, or null when the name is not one of ours. */
export function ownerPid(name: string): number | null {
  const m = OWNED.exec(name);
  return m ? Number(m[1]) : null;
}

export function isProcessAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'EPERM';
  }
}
