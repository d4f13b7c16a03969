/**
 * The context prefix of a `trace` / `trace_pipe` line (kernel-interfaces.md §5):
 * comm-pid, optional (tgid), [cpu], optional irq-info flags, timestamp.
 */

export interface LinePrefix {
  readonly comm: string;
  readonly pid: number;
  readonly tgid: number | null;
  readonly cpu: number;
  readonly flags: string | null;
  readonly timestampNs: bigint;
  /** The text after `timestamp: `. */
  readonly rest: string;
}

// comm may contain spaces and dashes: the greedy `.*` binds to the last `-pid` before the columns.
const PREFIX =
  /^(.*)-(\d+)\s+(?:\(\s*(\d+|-------)\)\s+)?\[(\d+)\]\s+(?:([.dDbX][.NnpBLlb][.ZzHhs][.\da-f][.\da-f])\s+)?(\d+)(?:\.(\d{1,9}))?:\s(.*)$/s;

const LOST = /^CPU:(\d+) \[LOST (\d+) EVENTS\]\s*$/;

export function parseLinePrefix(line: string): LinePrefix | null {
  const m = PREFIX.exec(line);
  if (!m) return null;
  const pid = Number(m[2]);
  const cpu = Number(m[4]);
  const tg = m[3];
  const frac = m[7];
  let ts = BigInt(m[6] ?? '0');
  if (frac !== undefined) ts = ts * 1_000_000_000n + BigInt(frac.padEnd(9, '0'));
  return {
    comm: (m[1] ?? '').trimStart(),
    pid,
    tgid: tg === undefined || tg === '-------' ? null : Number(tg),
    cpu,
    flags: m[5] ?? null,
    timestampNs: ts,
    rest: m[8] ?? '',
  };
}

/** `CPU:1 [LOST 123 EVENTS]` → { cpu, count }. */
export function parseLostLine(line: string): { cpu: number; count: number } | null {
  const m = LOST.exec(line);
  return m ? { cpu: Number(m[1]), count: Number(m[2]) } : null;
}

/** Header, annotation and stack-trace continuation lines carry no event. */
export function isIgnorableLine(line: string): boolean {
  return (
    line.trim() === '' ||
    line.startsWith('#') ||
    line.startsWith(' => ') ||
    line.startsWith('##### ')
  );
}
