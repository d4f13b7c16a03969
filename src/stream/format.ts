/**
 * Event `format` files (`events/GROUP/EVENT/format`, kernel-interfaces.md §4):
 * name, ID, the common header fields, the event's own fields with offsets, sizes
 * and signedness, and the print fmt. Pure: text in, EventFormat out.
 */
import { ProbekitError } from '../errors.js';
import { elementSizeOf, narrowInteger } from './ctypes.js';

export interface FieldFormat {
  readonly name: string;
  /** The declared C type without the name or brackets: `unsigned long`, `s32`, `char`, `__data_loc char[]`. */
  readonly type: string;
  readonly offset: number;
  /** Bytes in the record: the whole array for fixed arrays, 4 for `__data_loc`/`__rel_loc`. */
  readonly size: number;
  readonly signed: boolean;
  /** `__data_loc T[]`: a u32 `(length << 16) | offset-from-record-start`. */
  readonly isDataLoc: boolean;
  /** `__rel_loc T[]`: like `__data_loc` but the offset counts from the end of the field. */
  readonly isRelLoc: boolean;
  /** Element count of a fixed array (`char comm[16]`, probe `s32 arr[]` of size 12); null for scalars and dynamic data. */
  readonly arrayLength: number | null;
  /** Bytes per element: for scalars the size; for arrays and dynamic data the element type's size. */
  readonly elementSize: number;
  /** Text: char arrays and `__data_loc char[]` / `__rel_loc char[]`. */
  readonly isString: boolean;
  /** A scalar whose declared C type is narrower than the field (syscall `int dfd` in 8 bytes): its width and signedness. */
  readonly narrow: { readonly size: number; readonly signed: boolean } | null;
}

export interface EventFormat {
  /** Filled by the caller when known (format files do not name their group). */
  readonly group: string;
  readonly name: string;
  readonly id: number;
  /** `common_type`, `common_flags`, `common_preempt_count`, `common_pid` (and any other `common_*`). */
  readonly commonFields: readonly FieldFormat[];
  /** The event's own fields in file order, including `__probe_ip` and friends. */
  readonly fields: readonly FieldFormat[];
  /** The format string of `print fmt:` (unquoted), and its argument text. */
  readonly printFmt: string;
  readonly printArgs: string;
}

const FIELD_LINE = /^\s*field:(.*?);\s*offset:(\d+);\s*size:(\d+);\s*signed:(\d+);?\s*$/;
const NAME_LINE = /^name:\s*(\S+)\s*$/;
const ID_LINE = /^ID:\s*(\d+)\s*$/;
const DECL = /^(.*?)\s*([A-Za-z_$][\w$]*)\s*(\[\s*(\w*)\s*\])?\s*$/;

function formatError(line: number, message: string, input: string | undefined): ProbekitError {
  return new ProbekitError('E_FORMAT_SYNTAX', `event format, line ${line}: ${message}`, {
    input,
    hint: 'pass the exact contents of an events/GROUP/EVENT/format file',
    details: { line },
  });
}

/** Parses one `field:` declaration (`unsigned char common_flags`, `__data_loc char[] s`, `char comm[16]`). */
export function parseField(
  decl: string,
  offset: number,
  size: number,
  signed: boolean,
): FieldFormat | null {
  const m = DECL.exec(decl.trim());
  if (!m?.[2]) return null;
  const type = (m[1] ?? '').trim();
  const name = m[2];
  const dims = m[3] === undefined ? null : (m[4] ?? '');
  const isDataLoc = /^__data_loc\b/.test(type);
  const isRelLoc = /^__rel_loc\b/.test(type);
  if (type === '') return null;
  let base = type;
  // Probe `string[N]` prints as `__data_loc char[][N] name`: N dynamic locations.
  let locCount: number | null = null;
  if (isDataLoc || isRelLoc) {
    base = type.replace(/^__(data|rel)_loc\s*/, '');
    const multi = /^(.*?)\[\s*\]\s*\[\s*(\d+)\s*\]$/.exec(base);
    if (multi) {
      base = multi[1] ?? '';
      locCount = Number(multi[2]);
    }
    base = base.replace(/\[\s*\]$/, '').trim();
  }
  const elem = elementSizeOf(base);
  const isChar = /^(const\s+)?(unsigned\s+|signed\s+)?char$/.test(base);
  let arrayLength: number | null = null;
  let elementSize = size;
  if (isDataLoc || isRelLoc) {
    elementSize = elem ?? 1;
    if (locCount !== null || dims !== null) {
      // An array of dynamic locations, 4 bytes each; trust `size` over the declared count.
      arrayLength = Math.max(
        1,
        Math.min(locCount ?? Number.POSITIVE_INFINITY, Math.floor(size / 4)),
      );
    }
  } else if (dims !== null) {
    const n = dims === '' ? null : Number(dims);
    if (n !== null && Number.isFinite(n) && n > 0) {
      arrayLength = n;
      elementSize = Math.max(1, Math.floor(size / n));
    } else {
      elementSize = elem ?? size;
      arrayLength = elementSize > 0 ? Math.max(1, Math.floor(size / elementSize)) : 1;
    }
  }
  return {
    name,
    type,
    offset,
    size,
    signed,
    isDataLoc,
    isRelLoc,
    arrayLength,
    elementSize,
    isString: isChar && (isDataLoc || isRelLoc || arrayLength !== null),
    narrow: isDataLoc || isRelLoc || dims !== null ? null : narrowInteger(type, size),
  };
}

/** Parses the text of a `format` file. Throws ProbekitError('E_FORMAT_SYNTAX') naming the line. */
export function parseFormat(text: string, group = ''): EventFormat {
  if (typeof text !== 'string') throw formatError(0, 'expected text', undefined);
  const lines = text.split('\n');
  let name: string | null = null;
  let id: number | null = null;
  const common: FieldFormat[] = [];
  const fields: FieldFormat[] = [];
  let printFmt = '';
  let printArgs = '';
  let sawFormat = false;
  for (let i = 0; i < lines.length; i++) {
    const raw = lines[i] ?? '';
    const line = raw.replace(/\r$/, '');
    const n = i + 1;
    if (line.trim() === '') continue;
    const nameMatch = NAME_LINE.exec(line);
    const idMatch = nameMatch ? null : ID_LINE.exec(line);
    if (nameMatch) {
      if (name !== null) throw formatError(n, 'second "name:" line', line);
      name = nameMatch[1] ?? '';
    } else if (idMatch) {
      if (id !== null) throw formatError(n, 'second "ID:" line', line);
      id = Number(idMatch[1]);
      if (!Number.isSafeInteger(id) || id > 0xffff)
        throw formatError(n, `event ID ${idMatch[1]} is out of range`, line);
    } else if (line.trim() === 'format:') {
      sawFormat = true;
    } else if (/^\s*field:/.test(line)) {
      const f = FIELD_LINE.exec(line);
      if (!f)
        throw formatError(
          n,
          'a field line needs "field:DECL; offset:N; size:N; signed:0|1;"',
          line,
        );
      const offset = Number(f[2]);
      const size = Number(f[3]);
      if (offset > 0xffff || size > 0xffff)
        throw formatError(n, 'field offset or size is too large', line);
      const field = parseField(f[1] ?? '', offset, size, f[4] !== '0');
      if (!field) throw formatError(n, `cannot read the declaration "${f[1]}"`, line);
      if (field.size === 0 && !field.isDataLoc && !field.isRelLoc && field.arrayLength === null)
        throw formatError(n, `field ${field.name} has size 0`, line);
      (field.name.startsWith('common_') ? common : fields).push(field);
    } else if (line.startsWith('print fmt:')) {
      const p = splitPrintFmt(line.slice('print fmt:'.length).trim());
      printFmt = p.fmt;
      printArgs = p.args;
    } else {
      throw formatError(n, 'unexpected line', line);
    }
  }
  if (name === null) throw formatError(1, 'missing "name:" line', undefined);
  if (id === null) throw formatError(1, 'missing "ID:" line', undefined);
  if (!sawFormat && common.length + fields.length === 0)
    throw formatError(1, 'missing "format:" section', undefined);
  return { group, name, id, commonFields: common, fields, printFmt, printArgs };
}

function splitPrintFmt(s: string): { fmt: string; args: string } {
  if (!s.startsWith('"')) return { fmt: s, args: '' };
  let i = 1;
  let out = '';
  for (; i < s.length; i++) {
    const c = s[i];
    if (c === '\\' && i + 1 < s.length) {
      const d = s[i + 1];
      out += d === 'n' ? '\n' : d === 't' ? '\t' : d;
      i++;
    } else if (c === '"') {
      break;
    } else {
      out += c;
    }
  }
  const rest = s.slice(i + 1).replace(/^\s*,\s*/, '');
  return { fmt: out, args: rest };
}

/** The field named `name`, or undefined. */
export function findField(format: EventFormat, name: string): FieldFormat | undefined {
  return (
    format.fields.find((f) => f.name === name) ?? format.commonFields.find((f) => f.name === name)
  );
}
