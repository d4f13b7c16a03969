/**
 * Defining and removing dynamic events (kprobe_events, uprobe_events,
 * dynamic_events), with kernel errors decoded from error_log.
 */
import { join } from 'node:path';
import { errnoCode, KernelError } from '../errors.js';
import { findEntryFor, parseErrorLog } from './error-log.js';
import { appendLine, readText } from './files.js';
import { hintForKernelMessage } from './kernel-hints.js';

export interface DynamicEvent {
  /** `p`, `r`, `r16`, `f`, `t`, `e`, `s`. */
  readonly type: string;
  readonly group: string;
  readonly event: string;
  readonly line: string;
}

const LINE = /^([a-z])(\d*):([^/\s]+)\/(\S+)(?:\s|$)/;

/** Parses the listing of dynamic_events / kprobe_events / uprobe_events. */
export function parseDynamicEvents(text: string): DynamicEvent[] {
  const out: DynamicEvent[] = [];
  for (const line of text.split('\n')) {
    const m = LINE.exec(line);
    if (m) out.push({ type: `${m[1]}${m[2]}`, group: m[3] ?? '', event: m[4] ?? '', line });
  }
  return out;
}

/** Every dynamic event the kernel lists, from dynamic_events or the older files. */
export function listDynamicEvents(root: string): DynamicEvent[] {
  const dyn = readText(join(root, 'dynamic_events'));
  if (dyn !== null) return parseDynamicEvents(dyn);
  return [
    ...parseDynamicEvents(readText(join(root, 'kprobe_events')) ?? ''),
    ...parseDynamicEvents(readText(join(root, 'uprobe_events')) ?? ''),
  ];
}

/**
 * Appends a definition. On failure the kernel's error_log entry for our line is
 * turned into a KernelError quoting the line with the caret where the kernel put it.
 */
export function defineEvent(root: string, file: string, line: string): void {
  try {
    appendLine(root, file, line);
  } catch (e) {
    throw kernelWriteError(root, file, line, e);
  }
}

export function kernelWriteError(
  root: string,
  file: string,
  line: string,
  e: unknown,
): KernelError {
  const errno = errnoCode(e) ?? 'EIO';
  const entry = findEntryFor(parseErrorLog(readText(join(root, 'error_log')) ?? ''), line);
  if (entry) {
    return new KernelError(
      'E_KERNEL_REJECTED',
      `the kernel refused the probe: ${entry.message} (${errno})`,
      {
        input: entry.command,
        column: entry.position ?? undefined,
        hint: hintForKernelMessage(entry.message),
        cause: e,
        details: { errno, file, kernelMessage: entry.message },
      },
    );
  }
  const hint =
    errno === 'ENOENT'
      ? `${file} is missing or the probe point does not exist`
      : errno === 'EACCES' || errno === 'EPERM'
        ? 'writing tracefs needs root (sudo probekit ...)'
        : errno === 'EBUSY'
          ? 'the event is in use (enabled somewhere, or held by perf or BPF)'
          : undefined;
  return new KernelError('E_KERNEL_REJECTED', `the kernel refused the write to ${file}: ${errno}`, {
    input: line,
    hint,
    cause: e,
    details: { errno, file },
  });
}

function sleepSync(ms: number): void {
  Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, ms);
}

/**
 * Removes one event. Gone already (ENOENT) counts as removed. EBUSY (still
 * enabled somewhere, or held by perf/BPF) is retried briefly. Returns whether it is gone.
 */
export function removeEvent(root: string, file: string, group: string, event: string): boolean {
  for (let attempt = 0; ; attempt++) {
    try {
      appendLine(root, file, `-:${group}/${event}`);
      return true;
    } catch (e) {
      const code = errnoCode(e);
      if (code === 'ENOENT') return true;
      if (code === 'EBUSY' && attempt < 20) {
        sleepSync(25);
        continue;
      }
      return false;
    }
  }
}

export { sleepSync };
