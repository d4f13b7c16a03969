/**
 * `events/header_page` and `events/header_event` (kernel-interfaces.md §6): where a
 * ring-buffer page keeps its timestamp, commit word and data, and how event
 * headers are packed. Read from the files, never assumed.
 */
import { ProbekitError } from '../errors.js';

export interface PageLayout {
  readonly timestampOffset: number;
  readonly timestampSize: number;
  readonly commitOffset: number;
  /** 8 on 64-bit kernels (`local_t`), 4 on 32-bit; the lost-event count after the data has this size. */
  readonly commitSize: number;
  readonly dataOffset: number;
  /** Bytes of data a page can hold; a whole page read is `dataOffset + dataSize`. */
  readonly dataSize: number;
}

export interface EventHeaderLayout {
  readonly typeLenBits: number;
  readonly timeDeltaBits: number;
  readonly padding: number;
  readonly timeExtend: number;
  readonly timeStamp: number;
  readonly maxDataTypeLen: number;
}

/** The layout printed by x86_64 kernels with 4 KiB pages (for tests and as documentation). */
export const DEFAULT_EVENT_HEADER = {
  typeLenBits: 5,
  timeDeltaBits: 27,
  padding: 29,
  timeExtend: 30,
  timeStamp: 31,
  maxDataTypeLen: 28,
} as const satisfies EventHeaderLayout;

function headerError(file: string, line: number, message: string, input?: string): ProbekitError {
  return new ProbekitError('E_FORMAT_HEADER', `${file}, line ${line}: ${message}`, {
    input,
    hint: `pass the exact contents of events/${file}`,
    details: { line },
  });
}

const FIELD = /^\s*field:\s*(.*?)\s+(\w+);\s*offset:(\d+);\s*size:(\d+);\s*signed:(\d+);?\s*$/;

export function parseHeaderPage(text: string): PageLayout {
  const found = new Map<string, { offset: number; size: number }>();
  const lines = String(text).split('\n');
  lines.forEach((line, i) => {
    if (line.trim() === '') return;
    const m = FIELD.exec(line);
    if (!m)
      throw headerError(
        'header_page',
        i + 1,
        'expected "field: TYPE NAME; offset:N; size:N; signed:N;"',
        line,
      );
    const name = m[2] ?? '';
    if (!found.has(name)) found.set(name, { offset: Number(m[3]), size: Number(m[4]) });
  });
  const need = (name: string) => {
    const f = found.get(name);
    if (!f) throw headerError('header_page', lines.length, `no "${name}" field`);
    return f;
  };
  const ts = need('timestamp');
  const commit = need('commit');
  const data = need('data');
  if (ts.size !== 8) throw headerError('header_page', 1, `timestamp size ${ts.size}, expected 8`);
  if (commit.size !== 4 && commit.size !== 8)
    throw headerError('header_page', 2, `commit size ${commit.size}, expected 4 or 8`);
  if (data.size < 8 || data.offset < commit.offset + commit.size)
    throw headerError('header_page', 4, 'implausible data offset or size');
  return {
    timestampOffset: ts.offset,
    timestampSize: ts.size,
    commitOffset: commit.offset,
    commitSize: commit.size,
    dataOffset: data.offset,
    dataSize: data.size,
  };
}

export function parseHeaderEvent(text: string): EventHeaderLayout {
  const s = String(text);
  const num = (re: RegExp, what: string): number => {
    const m = re.exec(s);
    if (!m?.[1]) {
      throw headerError('header_event', 1, `no ${what} line`);
    }
    return Number(m[1]);
  };
  const out: EventHeaderLayout = {
    typeLenBits: num(/type_len\s*:\s*(\d+)\s*bits/, 'type_len'),
    timeDeltaBits: num(/time_delta\s*:\s*(\d+)\s*bits/, 'time_delta'),
    padding: num(/padding\s*:\s*type\s*==\s*(\d+)/, 'padding'),
    timeExtend: num(/time_extend\s*:\s*type\s*==\s*(\d+)/, 'time_extend'),
    timeStamp: num(/time_stamp\s*:\s*type\s*==\s*(\d+)/, 'time_stamp'),
    maxDataTypeLen: num(/data max type_len\s*==\s*(\d+)/, 'data max type_len'),
  };
  if (out.typeLenBits + out.timeDeltaBits !== 32 || out.typeLenBits < 1 || out.typeLenBits > 8) {
    throw headerError(
      'header_event',
      1,
      `type_len ${out.typeLenBits} + time_delta ${out.timeDeltaBits} bits must make 32`,
    );
  }
  return out;
}
