/**
 * Group and event names: C identifiers of at most 63 characters
 * (MAX_EVENT_NAME_LEN = 64 with the NUL, kernel/trace/trace_probe.h).
 */
import { UsageError } from '../errors.js';
import type { ProbeSpec } from '../spec/types.js';

export const MAX_NAME_LEN = 63;
const C_IDENT = /^[A-Za-z_][A-Za-z0-9_]*$/;

export function isEventName(name: string): boolean {
  return C_IDENT.test(name) && name.length <= MAX_NAME_LEN;
}

/** Checks a group name for this run's probes; throws a UsageError saying what is wrong. */
export function validateGroupName(name: string): string {
  if (name.length === 0) {
    throw new UsageError('E_PLAN_GROUP', 'the group name is empty', {
      hint: 'use a C identifier such as probekit_1234_ab12',
    });
  }
  if (name.length > MAX_NAME_LEN) {
    throw new UsageError(
      'E_PLAN_GROUP',
      `the group name is ${name.length} characters long; tracefs allows ${MAX_NAME_LEN}`,
      {
        input: name,
        column: MAX_NAME_LEN,
        length: name.length - MAX_NAME_LEN,
        hint: 'use a shorter group name',
      },
    );
  }
  const bad = name.search(/[^A-Za-z0-9_]|^[0-9]/);
  if (bad >= 0) {
    throw new UsageError('E_PLAN_GROUP', `the group name '${name}' is not a C identifier`, {
      input: name,
      column: bad,
      hint: 'group names may use letters, digits and _, and may not start with a digit',
    });
  }
  return name;
}

/** Turns any text into identifier characters. */
function sanitize(text: string): string {
  return text.replace(/[^A-Za-z0-9_]/g, '_').replace(/_+/g, '_');
}

/** The stem of a path: basename up to the first `.`, `-` or `_` after its start (`libc.so.6` → `libc`). */
function pathStem(path: string): string {
  const base = path.slice(path.lastIndexOf('/') + 1);
  const m = /^[^.\-_]+/.exec(base);
  return m ? m[0] : base;
}

/** The readable middle of a generated event name, before the prefix and index. */
export function nameStem(spec: ProbeSpec): string {
  const t = spec.target;
  if (t.kind === 'kernel') {
    const place = t.symbol ?? `0x${(t.address ?? 0n).toString(16)}`;
    return t.offset !== 0n ? `${place}_0x${t.offset.toString(16)}` : place;
  }
  if (t.kind === 'user') {
    const what = t.symbol ?? `0x${t.offset.toString(16)}`;
    const off = t.symbol && t.offset !== 0n ? `_0x${t.offset.toString(16)}` : '';
    return `${pathStem(t.path)}_${what}${off}`;
  }
  return t.event;
}

/**
 * Generated event name: `p_` or `r_`, the target, and the probe's index in the
 * run, e.g. `p_do_sys_open_0`, `r_do_sys_open_1`, `p_bash_readline_2`. The
 * middle is shortened so the whole name fits 63 characters; `taken` makes it unique.
 */
export function eventName(spec: ProbeSpec, index: number, taken: ReadonlySet<string>): string {
  // A name the user gave (perf-tools' `p:FUNC` shorthand names the event after FUNC) is kept.
  if (spec.event !== null && isEventName(spec.event) && !taken.has(spec.event)) return spec.event;
  const prefix = spec.kind === 'kretprobe' || spec.kind === 'uretprobe' ? 'r' : 'p';
  const stem = sanitize(nameStem(spec)).replace(/^_+|_+$/g, '') || 'probe';
  for (let n = index; ; n++) {
    const suffix = `_${n}`;
    const room = MAX_NAME_LEN - prefix.length - 1 - suffix.length;
    const name = `${prefix}_${stem.slice(0, room).replace(/_+$/, '')}${suffix}`;
    if (!taken.has(name)) return name;
  }
}
