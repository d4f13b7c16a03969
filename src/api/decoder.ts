/**
 * Chooses and builds the decoder for a session: binary `trace_pipe_raw` pages
 * (the default wherever they are readable) or `trace_pipe` text (the fallback
 * and cross-check). Formats come from the kernel's own format files.
 */
import { accessSync, constants, readFileSync } from 'node:fs';
import { endianness } from 'node:os';
import { join } from 'node:path';
import { UsageError } from '../errors.js';
import { parseHeaderEvent, parseHeaderPage } from '../stream/header.js';
import { pageCommitSize } from '../stream/page.js';
import { RawDecoder } from '../stream/raw-reader.js';
import { FormatRegistry } from '../stream/registry.js';
import { TraceTextDecoder } from '../stream/text.js';
import type { StreamItem } from '../stream/types.js';
import type { PipeDecoder, Session } from '../tracefs/session.js';
import { TaskNames } from './tasks.js';

export type DecodeMode = 'auto' | 'raw' | 'text';

function formatsOf(session: Session): FormatRegistry {
  const reg = new FormatRegistry();
  for (const p of session.plan.probes) {
    reg.addText(
      readFileSync(join(session.root, 'events', p.group, p.event, 'format'), 'utf8'),
      p.group,
    );
  }
  return reg;
}

function rawReadable(session: Session): boolean {
  try {
    accessSync(join(session.instancePath, 'per_cpu', 'cpu0', 'trace_pipe_raw'), constants.R_OK);
    accessSync(join(session.root, 'events', 'header_page'), constants.R_OK);
    return true;
  } catch {
    return false;
  }
}

/** Items of one polling round from several CPUs, in timestamp order (non-events keep their place at the front). */
function byTime(items: StreamItem[]): StreamItem[] {
  if (items.length < 2) return items;
  // The common case (one busy CPU, or CPUs that took turns) is already in order: a linear check.
  let inOrder = true;
  let last = -1n;
  for (const it of items) {
    if (it.type !== 'event' || it.timestampNs < last) {
      inOrder = false;
      break;
    }
    last = it.timestampNs;
  }
  if (inOrder) return items;
  const others = items.filter((i) => i.type !== 'event');
  const events = items.filter((i) => i.type === 'event');
  events.sort((a, b) =>
    a.timestampNs < b.timestampNs ? -1 : a.timestampNs > b.timestampNs ? 1 : 0,
  );
  return [...others, ...events];
}

export function createDecoder(session: Session, mode: DecodeMode): PipeDecoder {
  const formats = formatsOf(session);
  const useRaw = mode === 'raw' || (mode === 'auto' && rawReadable(session));
  if (mode === 'raw' && !rawReadable(session)) {
    throw new UsageError('E_NO_RAW', 'binary trace_pipe_raw pages are not readable here', {
      hint: 'use --decode text',
    });
  }
  if (!useRaw) {
    const text = new TraceTextDecoder({ formats });
    return {
      mode: 'text',
      chunkSize: 1 << 16,
      push: (chunk) => text.push(chunk),
      flush: () => text.end(),
    };
  }
  const layout = parseHeaderPage(readFileSync(join(session.root, 'events', 'header_page'), 'utf8'));
  const eventHeader = parseHeaderEvent(
    readFileSync(join(session.root, 'events', 'header_event'), 'utf8'),
  );
  const tasks = new TaskNames(session.root);
  const raw = new RawDecoder({ layout, eventHeader, formats, comm: tasks.comm, tgid: tasks.tgid });
  // A page whose committed data stops well short of its end is the writer's
  // current page. Pages are in the kernel's (this host's) byte order.
  const le = endianness() === 'LE';
  const nearlyFull = layout.dataSize - 512;
  return {
    mode: 'raw',
    chunkSize: raw.pageSize,
    caughtUp: (chunk) =>
      chunk.length < raw.pageSize || pageCommitSize(chunk, layout, le) < nearlyFull,
    push: (chunk, cpu) => raw.push(cpu ?? 0, chunk),
    flush: () => byTime(raw.flush()),
    order: byTime,
  };
}
