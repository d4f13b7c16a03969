/**
 * Decodes tracefs `error_log` (kernel-interfaces.md §2): three-line entries
 *   [  510.264172] trace_uprobe: error: Invalid register name
 *     Command: p:dgst/e1 /opt/demo/app:0x1149 a=%rdi
 *                                               ^
 * and finds the entry for a command we wrote.
 */

export interface ErrorLogEntry {
  /** Seconds since boot, as printed (for picking the newest). */
  readonly time: number;
  readonly subsystem: string;
  readonly message: string;
  /** The command as the kernel rebuilt it (argv joined by single spaces). */
  readonly command: string;
  /** 0-based index into `command` of the caret, or null when no caret line. */
  readonly position: number | null;
}

const HEAD = /^\[\s*(\d+)\.(\d{6})\] ([^:]+): error: (.*)$/;
const COMMAND = /^ {2}Command: (.*)$/;
/** The caret line has 11 spaces before position 0 of the command. */
const CARET_BASE = 11;

export function parseErrorLog(text: string): ErrorLogEntry[] {
  const lines = text.split('\n');
  const out: ErrorLogEntry[] = [];
  for (let i = 0; i < lines.length; i++) {
    const head = HEAD.exec(lines[i] ?? '');
    if (!head) continue;
    const cmd = COMMAND.exec(lines[i + 1] ?? '');
    let position: number | null = null;
    const caretLine = lines[i + 2] ?? '';
    const caret = caretLine.indexOf('^');
    if (cmd && caret >= 0 && caretLine.slice(0, caret).trim() === '') {
      position = Math.max(0, caret - CARET_BASE);
    }
    out.push({
      time: Number(head[1]) + Number(head[2]) / 1e6,
      subsystem: head[3] ?? '',
      message: head[4] ?? '',
      command: cmd?.[1] ?? '',
      position,
    });
    if (cmd) i += position === null ? 1 : 2;
  }
  return out;
}

/** Whitespace-normalised form, as the kernel rebuilds the command from argv. Comments vanish. */
export function normaliseCommand(line: string): string {
  const hash = line.indexOf('#');
  const body = hash >= 0 ? line.slice(0, hash) : line;
  return body.trim().split(/\s+/).join(' ');
}

/** The newest entry whose command is our line, or null. */
export function findEntryFor(
  entries: readonly ErrorLogEntry[],
  line: string,
): ErrorLogEntry | null {
  const want = normaliseCommand(line);
  let best: ErrorLogEntry | null = null;
  for (const e of entries) {
    if (e.command === want && (best === null || e.time >= best.time)) best = e;
  }
  return best;
}
