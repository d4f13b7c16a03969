/**
 * Tracepoints as tracefs shows them: `events/<group>/<event>/format`. Only
 * what preflight and `list` need (names and fields); full record decoding
 * lives in src/stream.
 */
import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';

export interface TracepointField {
  readonly name: string;
  /** The C declaration without the name, e.g. `const char *`, `char[16]`. */
  readonly type: string;
  readonly offset: number;
  readonly size: number;
  readonly signed: boolean;
  /** One of the `common_*` header fields. */
  readonly common: boolean;
}

const FIELD_LINE = /^\s*field:(.*?);\s*offset:(\d+);\s*size:(\d+);\s*signed:(\d);?\s*$/;

/** Parses the `field:` lines of a format file. */
export function parseFormatFields(text: string): TracepointField[] {
  const out: TracepointField[] = [];
  for (const line of text.split('\n')) {
    const m = FIELD_LINE.exec(line);
    if (!m) continue;
    const decl = (m[1] as string).trim();
    // The name is the last identifier once array brackets are removed: `char comm[16]` → comm.
    const noArray = decl.replace(/\s*\[[^\]]*\]\s*$/, '');
    const nm = /([A-Za-z_][A-Za-z0-9_]*)$/.exec(noArray);
    if (!nm?.[1]) continue;
    const name = nm[1];
    const arraySuffix = decl.slice(noArray.length).trim();
    const type = `${noArray.slice(0, noArray.length - name.length).trim()}${arraySuffix}`;
    out.push({
      name,
      type,
      offset: Number(m[2]),
      size: Number(m[3]),
      signed: m[4] === '1',
      common: name.startsWith('common_'),
    });
  }
  return out;
}

/** Files in `events/` and `events/<group>/` that are controls, not groups or events. */
const CONTROL_FILES = new Set(['enable', 'filter', 'header_page', 'header_event', 'trigger']);

async function subdirs(dir: string): Promise<string[]> {
  const ents = await readdir(dir, { withFileTypes: true });
  return ents
    .filter((e) => e.isDirectory() && !CONTROL_FILES.has(e.name))
    .map((e) => e.name)
    .sort();
}

/** Tracepoint groups (`syscalls`, `sched`, ...); empty when `events/` is missing. */
export async function listTracepointGroups(tracefsRoot: string): Promise<string[]> {
  try {
    return await subdirs(join(tracefsRoot, 'events'));
  } catch {
    return [];
  }
}

/** Events of one group; null when the group does not exist. */
export async function listTracepointEvents(
  tracefsRoot: string,
  group: string,
): Promise<string[] | null> {
  try {
    return await subdirs(join(tracefsRoot, 'events', group));
  } catch {
    return null;
  }
}

/** The fields of one tracepoint, or null when it does not exist. */
export async function readTracepointFields(
  tracefsRoot: string,
  group: string,
  event: string,
): Promise<TracepointField[] | null> {
  try {
    return parseFormatFields(
      await readFile(join(tracefsRoot, 'events', group, event, 'format'), 'utf8'),
    );
  } catch {
    return null;
  }
}
