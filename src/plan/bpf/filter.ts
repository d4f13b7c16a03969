/**
 * A probe's filter as conditions over its BPF record: numbers compared with
 * the slot's signedness, text by equality or prefix (`name ~ "ba*"`). The
 * fields were checked by the tracefs planner already.
 */
import type { FilterExpr } from '../../spec/types.js';
import { unsupported } from './slots.js';
import { BPF_HEADER, type BpfCond, type BpfOperand, type BpfSlot } from './types.js';

type Named =
  | { readonly kind: 'number'; readonly operand: BpfOperand }
  | { readonly kind: 'text'; readonly offset: number; readonly max: number };

function named(slots: readonly BpfSlot[], name: string): Named | null {
  const s = slots.find((x) => x.name === name);
  if (s) {
    switch (s.kind) {
      case 'int':
        return { kind: 'number', operand: { offset: s.offset, size: 8, signed: s.signed } };
      case 'string':
      case 'ctx-string':
        return { kind: 'text', offset: s.offset, max: s.max };
      case 'comm':
        return { kind: 'text', offset: s.offset, max: 16 };
      default:
        return null;
    }
  }
  if (name === 'comm') return { kind: 'text', offset: BPF_HEADER.comm, max: 16 };
  if (name === 'pid' || name === 'common_pid')
    return { kind: 'number', operand: { offset: BPF_HEADER.pid, size: 4, signed: false } };
  if (name === 'cpu')
    return { kind: 'number', operand: { offset: BPF_HEADER.cpu, size: 4, signed: false } };
  return null;
}

/** Glob text → equality or prefix; null for other globs. */
function globMatch(text: string): { text: string; prefix: boolean } | null {
  const body = text.endsWith('*') ? text.slice(0, -1) : text;
  if (/[*?[\]]/.test(body)) return null;
  return { text: body, prefix: text.endsWith('*') };
}

export function compileFilter(probe: string, e: FilterExpr, slots: readonly BpfSlot[]): BpfCond {
  switch (e.kind) {
    case 'and':
    case 'or':
      return {
        kind: e.kind,
        left: compileFilter(probe, e.left, slots),
        right: compileFilter(probe, e.right, slots),
      };
    case 'not':
      return { kind: 'not', operand: compileFilter(probe, e.operand, slots) };
    case 'cmp': {
      const f = named(slots, e.field);
      if (!f) throw unsupported(probe, `a filter on '${e.field}'`);
      if (f.kind === 'number') {
        if (e.value.kind !== 'number' || e.op === '~') {
          throw unsupported(probe, `'${e.field} ${e.op} ${e.value.text}'`);
        }
        let value: bigint;
        try {
          value = BigInt(e.value.text);
        } catch {
          throw unsupported(probe, `the number '${e.value.text}'`);
        }
        return { kind: 'cmp', operand: f.operand, op: e.op, value };
      }
      if (e.value.kind !== 'string' || !['==', '!=', '~'].includes(e.op)) {
        throw unsupported(probe, `'${e.field} ${e.op} ${e.value.text}'`);
      }
      const m = e.op === '~' ? globMatch(e.value.text) : { text: e.value.text, prefix: false };
      if (!m) throw unsupported(probe, `the glob "${e.value.text}" (only "text" and "prefix*")`);
      const text = new TextEncoder().encode(m.text);
      if (text.length >= f.max) {
        throw unsupported(probe, `comparing '${e.field}' with ${text.length} bytes of text`);
      }
      return {
        kind: 'str',
        offset: f.offset,
        max: f.max,
        text,
        prefix: m.prefix,
        negate: e.op === '!=',
      };
    }
  }
}
