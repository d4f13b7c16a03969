/**
 * The only place that writes tracefs. Shared definition files are only ever
 * appended to (O_APPEND, never O_TRUNC: truncating deletes every probe of that
 * type, other tools' included). Instance-local control files are written in place.
 */
import { closeSync, constants, openSync, readFileSync, writeSync } from 'node:fs';
import { join } from 'node:path';

/** Appends one line to a shared tracefs file (kprobe_events, uprobe_events, dynamic_events). */
export function appendLine(root: string, file: string, line: string): void {
  const fd = openSync(join(root, file), constants.O_WRONLY | constants.O_APPEND);
  try {
    writeSync(fd, line.endsWith('\n') ? line : `${line}\n`);
  } finally {
    closeSync(fd);
  }
}

/**
 * Writes a control file that belongs to our own instance (tracing_on, enable,
 * filter, set_event_pid, buffer_size_kb, trace_clock, options/*). Opened without
 * O_TRUNC: tracefs control files take the written value as a whole.
 */
export function writeControl(path: string, value: string): void {
  const fd = openSync(path, constants.O_WRONLY);
  try {
    writeSync(fd, value);
  } finally {
    closeSync(fd);
  }
}

/** Reads a tracefs text file; null when it does not exist or cannot be read. */
export function readText(path: string): string | null {
  try {
    return readFileSync(path, 'utf8');
  } catch {
    return null;
  }
}
