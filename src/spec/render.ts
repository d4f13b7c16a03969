/** Writes spec pieces back as tracefs text: fetch arguments, places, raw lines. */
import { SpecError } from '../errors.js';
import { tokenize } from './raw.js';
import type { ArgSpec, FetchExpr, KernelTarget, ProbeSpec, UserTarget } from './types.js';

function signed(v: bigint): string {
  return v < 0n ? `-${-v}` : `+${v}`;
}

/** A fetch expression in tracefs spelling (`+8(%di)`, `$arg1`, `file->f_path`). */
export function formatFetch(e: FetchExpr): string {
  switch (e.kind) {
    case 'param':
      return e.name;
    case 'argN':
      return `$arg${e.index}`;
    case 'retval':
      return '$retval';
    case 'comm':
      return '$comm';
    case 'stack':
      return e.index === null ? '$stack' : `$stack${e.index}`;
    case 'reg':
      return `%${e.reg}`;
    case 'addr':
      return `@0x${e.address.toString(16)}`;
    case 'sym':
      return `@${e.symbol}${e.offset === 0n ? '' : signed(e.offset)}`;
    case 'fileoff':
      return `@+${e.offset}`;
    case 'deref': {
      const s = signed(e.offset);
      return `${s[0]}${e.user ? 'u' : ''}${s.slice(1)}(${formatFetch(e.inner)})`;
    }
    case 'imm':
      return `\\${e.value}`;
    case 'member':
      return formatFetch(e.base) + e.path.map((p) => p.op + p.name).join('');
  }
}

/** `NAME=FETCH:TYPE`, leaving out `NAME=` when the user did. */
export function formatArg(a: ArgSpec): string {
  const body = formatFetch(a.expr) + (a.type ? `:${a.type.text}` : '');
  return a.explicitName ? `${a.name}=${body}` : body;
}

/** A kernel place: `MOD:FUNC+OFFS` or `0xADDRESS`. */
export function formatKernelPlace(t: KernelTarget): string {
  if (t.symbol === null) return `0x${(t.address ?? 0n).toString(16)}`;
  return `${t.module === null ? '' : `${t.module}:`}${t.symbol}${t.offset === 0n ? '' : `+${t.offset}`}`;
}

/** A user place: `PATH:0xOFFSET(0xREF)` for a file offset, `PATH:SYMBOL+OFFS` before ELF resolution. */
export function formatUserPlace(t: UserTarget): string {
  const ref = t.refCtrOffset === null ? '' : `(0x${t.refCtrOffset.toString(16)})`;
  if (t.symbol === null) return `${t.path}:0x${t.offset.toString(16)}${ref}`;
  return `${t.path}:${t.symbol}${t.offset === 0n ? '' : `+${t.offset}`}${ref}`;
}

/**
 * The definition line for a raw spec, exactly as typed (whitespace collapsed,
 * as tracefs does), with the group and event replaced when given (a null
 * event lets the kernel name it).
 */
export function renderRawLine(
  spec: ProbeSpec,
  names: { group?: string | null; event?: string | null } = {},
): string {
  if (spec.syntax !== 'raw' || spec.target.kind === 'tracepoint') {
    throw new SpecError('E_SPEC_RAW', 'not a raw kernel line', {
      input: spec.text,
      hint: 'only specs parsed from p/r lines render back as written',
    });
  }
  const first = tokenize(spec.text)[0]?.text ?? '';
  const colon = first.indexOf(':');
  let header = first;
  if (names.group !== undefined || names.event !== undefined) {
    const group = names.group === undefined ? spec.group : names.group;
    const event = names.event === undefined ? spec.event : names.event;
    const named =
      group !== null || event !== null ? `:${group === null ? '' : `${group}/`}${event ?? ''}` : '';
    header = (colon < 0 ? first : first.slice(0, colon)) + named;
  }
  const rest = tokenize(spec.text.slice(spec.target.span.start)).map((t) => t.text);
  return [header, ...rest].join(' ');
}
