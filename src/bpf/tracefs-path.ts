/** Where tracefs is mounted (from /proc/mounts), and the files BPF attach needs from it. */
import { readFileSync } from 'node:fs';
import { KernelError, UnsupportedError } from '../errors.js';
import { mountsOfType, parseMounts } from '../kernel/mounts.js';

let cached: string | undefined;

/** Mount point of tracefs: the first `tracefs` entry, else debugfs's `tracing` directory. */
export function tracefsRoot(mountsText?: string): string {
  if (cached && mountsText === undefined) return cached;
  const mounts = parseMounts(mountsText ?? readFileSync('/proc/mounts', 'utf8'));
  const tracefs = mountsOfType(mounts, 'tracefs')[0];
  const debugfs = mountsOfType(mounts, 'debugfs')[0];
  const root = tracefs ?? (debugfs === undefined ? undefined : `${debugfs}/tracing`);
  if (root === undefined) {
    throw new UnsupportedError('tracefs', 'tracefs is not mounted', {
      hint: 'mount -t tracefs nodev /sys/kernel/tracing',
    });
  }
  if (mountsText === undefined) cached = root;
  return root;
}

/** The numeric id of tracepoint `group:event` (events/G/E/id). */
export function tracepointId(group: string, event: string): number {
  if (!/^[A-Za-z0-9_.-]+$/.test(group) || !/^[A-Za-z0-9_.-]+$/.test(event)) {
    throw new KernelError('E_BPF_TRACEPOINT', `bad tracepoint name "${group}:${event}"`);
  }
  const file = `${tracefsRoot()}/events/${group}/${event}/id`;
  try {
    return Number(readFileSync(file, 'utf8').trim());
  } catch (e) {
    throw new KernelError(
      'E_BPF_TRACEPOINT',
      `no tracepoint ${group}:${event} (${file} unreadable)`,
      {
        cause: e,
        hint: `list tracepoints with: ls ${tracefsRoot()}/events/${group}`,
      },
    );
  }
}

/** The tracepoint's format file text (for field offsets). */
export function tracepointFormat(group: string, event: string): string {
  tracepointId(group, event);
  return readFileSync(`${tracefsRoot()}/events/${group}/${event}/format`, 'utf8');
}
