/** Preflight for tracepoints: the event exists and has the fields a probe names. */
import { access } from 'node:fs/promises';
import { join } from 'node:path';
import { nearNames } from '../util/names.js';
import { PreflightError } from './errors.js';
import {
  listTracepointEvents,
  listTracepointGroups,
  readTracepointFields,
  type TracepointField,
} from './tracepoints.js';

export interface TracepointPreflight {
  readonly group: string;
  readonly event: string;
  /** Every field of the event (common ones included), from its format file. */
  readonly fields: readonly TracepointField[];
}

async function otherGroupsWith(
  root: string,
  event: string,
  groups: readonly string[],
): Promise<string[]> {
  const hits: string[] = [];
  await Promise.all(
    groups.map(async (g) => {
      try {
        await access(join(root, 'events', g, event));
        hits.push(`t:${g}:${event}`);
      } catch {
        // not in this group
      }
    }),
  );
  return hits.sort();
}

/**
 * Checks `group:event` exists under `<root>/events` and that every name in
 * `fields` is one of its fields. Throws PreflightError with near names.
 */
export async function preflightTracepoint(
  group: string,
  event: string,
  fields: readonly string[] = [],
  root: string,
): Promise<TracepointPreflight> {
  const groups = await listTracepointGroups(root);
  if (groups.length === 0) {
    throw new PreflightError(
      'E_NO_TRACEPOINTS',
      `no tracepoints: ${join(root, 'events')} is missing or empty`,
      {
        hint: 'the kernel was built without CONFIG_TRACEPOINTS/CONFIG_EVENT_TRACING, or tracefs is not readable (run as root)',
      },
    );
  }
  const events = await listTracepointEvents(root, group);
  if (events === null) {
    const near = nearNames(group, groups, 5);
    const elsewhere = await otherGroupsWith(root, event, groups);
    throw new PreflightError('E_NO_SUCH_TRACEPOINT', `no tracepoint group '${group}'`, {
      hint:
        elsewhere.length > 0
          ? `${event} is in ${elsewhere.join(', ')}`
          : near.length > 0
            ? `did you mean group ${near.join(', ')}? (list them: probekit list --tracepoints)`
            : 'list them: probekit list --tracepoints',
      suggestions: elsewhere.length > 0 ? elsewhere : near.map((g) => `t:${g}:*`),
      details: { group, event, nearGroups: near },
    });
  }
  const formatFields = events.includes(event)
    ? await readTracepointFields(root, group, event)
    : null;
  if (formatFields === null) {
    const near = nearNames(event, events, 5);
    const elsewhere = await otherGroupsWith(root, event, groups);
    const suggestions = [...new Set([...near.map((e) => `t:${group}:${e}`), ...elsewhere])];
    throw new PreflightError('E_NO_SUCH_TRACEPOINT', `no tracepoint ${group}:${event}`, {
      hint:
        suggestions.length > 0
          ? `did you mean ${suggestions.join(', ')}?`
          : `list the group: probekit list 't:${group}:*'`,
      suggestions,
      details: { group, event, near },
    });
  }
  const names = new Set(formatFields.map((f) => f.name));
  for (const want of fields) {
    if (names.has(want)) continue;
    const own = formatFields.filter((f) => !f.common).map((f) => f.name);
    const near = nearNames(want, names, 3);
    throw new PreflightError(
      'E_NO_SUCH_FIELD',
      `tracepoint ${group}:${event} has no field '${want}'`,
      {
        hint: `its fields are ${own.join(', ') || '(none besides common_*)'}${near.length > 0 ? `; did you mean ${near.join(', ')}?` : ''}`,
        suggestions: near,
        details: { group, event, field: want, fields: own },
      },
    );
  }
  return { group, event, fields: formatFields };
}
