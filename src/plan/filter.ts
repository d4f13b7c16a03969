/**
 * Filters: every field checked against the probe's fields, then rendered in the
 * tracefs filter syntax (Documentation/trace/events.rst §5; kernel-interfaces.md §7).
 */
import type { FilterExpr } from '../spec/types.js';
import { errorAt, type ProbeContext } from './context.js';
import type { PlannedArg, TracepointFieldInfo } from './types.js';

export type FieldKind = 'string' | 'number' | 'unknown';

const STRING_TYPES = /^(string|ustring|symstr|%pd|%pD)$/;

/** The fields a filter may use on this probe, with what kind of value each holds. */
export interface FilterField {
  readonly name: string;
  readonly kind: FieldKind;
  /** Size in bytes and signedness of an unsigned tracepoint field, to fit negative values to it. */
  readonly unsignedSize?: number;
  /** Width of its declared C type when narrower (the register may hold the value zero- or sign-extended). */
  readonly narrowSize?: number;
}

export function probeFields(
  args: readonly PlannedArg[],
  tracepointFields: readonly TracepointFieldInfo[] | null,
): Map<string, FilterField> {
  const fields = new Map<string, FilterField>();
  for (const f of tracepointFields ?? []) {
    if (typeof f === 'string') fields.set(f, { name: f, kind: 'unknown' });
    else
      fields.set(f.name, {
        name: f.name,
        kind: f.isString ? 'string' : 'number',
        unsignedSize: f.signed || f.isString ? undefined : f.size,
        narrowSize: f.signed || f.isString ? undefined : f.narrowSize,
      });
  }
  for (const a of args) {
    if (a.type === 'field') continue;
    fields.set(a.name, { name: a.name, kind: STRING_TYPES.test(a.type) ? 'string' : 'number' });
  }
  // Fields every event has; an argument of the same name wins.
  if (!fields.has('comm')) fields.set('comm', { name: 'comm', kind: 'string' });
  if (!fields.has('pid')) fields.set('pid', { name: 'common_pid', kind: 'number' });
  if (!fields.has('cpu')) fields.set('cpu', { name: 'cpu', kind: 'number' });
  return fields;
}

function quoteString(text: string): string {
  return `"${text.replace(/["\\]/g, (c) => `\\${c}`)}"`;
}

/**
 * Renders the filter. `openFields` is true when the field list is not known
 * (a tracepoint whose format was not read): any field is let through then.
 */
export function planFilter(
  ctx: ProbeContext,
  expr: FilterExpr,
  fields: Map<string, FilterField>,
  openFields: boolean,
): string {
  const render = (e: FilterExpr, parent: 'and' | 'or' | 'not' | null): string => {
    switch (e.kind) {
      case 'and':
      case 'or': {
        const s = `${render(e.left, e.kind)} ${e.kind === 'and' ? '&&' : '||'} ${render(e.right, e.kind)}`;
        return parent !== null && parent !== e.kind ? `(${s})` : s;
      }
      case 'not':
        return `!(${render(e.operand, 'not')})`;
      case 'cmp': {
        const f =
          fields.get(e.field) ?? (openFields ? { name: e.field, kind: 'unknown' as const } : null);
        if (!f) {
          const known = [...fields.keys()].join(', ');
          throw errorAt(
            ctx,
            'E_PLAN_FILTER_FIELD',
            `the filter uses '${e.field}', which this probe does not record`,
            e.fieldSpan,
            `fields here: ${known}`,
          );
        }
        const isString = e.value.kind === 'string';
        if (f.kind === 'number' && (isString || e.op === '~')) {
          throw errorAt(
            ctx,
            'E_PLAN_FILTER_TYPE',
            `'${e.field}' is a number; ${e.op === '~' ? 'the glob match ~ works only on strings' : 'compare it with a number'}`,
            e.span,
            'numbers take == != < <= > >= &; give the argument a :string type to match text',
          );
        }
        if (f.kind === 'string' && (!isString || !['==', '!=', '~'].includes(e.op))) {
          throw errorAt(
            ctx,
            'E_PLAN_FILTER_TYPE',
            `'${e.field}' is a string; it takes only == != and ~ with a quoted value`,
            e.span,
            `e.g. ${e.field} ~ "ba*"`,
          );
        }
        if (isString) return `${f.name} ${e.op} ${quoteString(e.value.text)}`;
        const wide = fitNumber(e.value.text, f.unsignedSize);
        const narrow = fitNumber(e.value.text, f.narrowSize);
        // `int dfd == -100` in an 8-byte slot: the register holds -100 zero- or sign-extended.
        if (narrow !== wide && (e.op === '==' || e.op === '!=')) {
          const join = e.op === '==' ? '||' : '&&';
          const both = `${f.name} ${e.op} ${narrow} ${join} ${f.name} ${e.op} ${wide}`;
          return parent === null ? both : `(${both})`;
        }
        return `${f.name} ${e.op} ${wide}`;
      }
    }
  };
  return render(expr, null);
}

/**
 * The kernel refuses a negative value for an unsigned field ("Illegal integer
 * value"). Syscall tracepoints declare `int dfd` as an unsigned 8-byte field
 * holding the sign-extended value, so `dfd == -100` is written as its two's
 * complement in the field's width.
 */
function fitNumber(text: string, unsignedSize: number | undefined): string {
  if (unsignedSize === undefined || !text.startsWith('-') || unsignedSize < 1 || unsignedSize > 8)
    return text;
  let magnitude: bigint;
  try {
    magnitude = BigInt(text.slice(1));
  } catch {
    return text;
  }
  const width = 1n << BigInt(unsignedSize * 8);
  return magnitude <= width / 2n ? String(width - magnitude) : text;
}
