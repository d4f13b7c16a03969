/** Checks an argument against the probe it belongs to: return values, offsets, types. */
import { quote } from './codes.js';
import type { Cursor } from './cursor.js';
import type { FetchContext } from './fetch.js';
import type { ArgSpec, FetchExpr } from './types.js';

export interface ArgContext extends FetchContext {
  /** False when the probe sits at a nonzero offset into a function. */
  readonly atEntry: boolean;
  /** How to suggest a return probe in hints. */
  readonly returnHint: string;
  /** The line goes to tracefs as typed (raw syntax): the kernel's own rules apply. */
  readonly kernelLine: boolean;
}

function width(e: { span: { start: number; end: number } }): number {
  return e.span.end - e.span.start;
}

function isMemory(e: FetchExpr): boolean {
  return e.kind === 'deref' || e.kind === 'addr' || e.kind === 'sym' || e.kind === 'fileoff';
}

function checkExpr(cur: Cursor, e: FetchExpr, ctx: ArgContext): void {
  if (e.kind === 'deref') checkExpr(cur, e.inner, ctx);
  if (e.kind === 'member') checkExpr(cur, e.base, ctx);
  const text = cur.src.slice(e.span.start, e.span.end);
  if (e.kind === 'retval' && !ctx.isReturn) {
    throw cur.error(
      'E_SPEC_ARG',
      `${quote(text)} is only available in return probes`,
      e.span.start,
      width(e),
      ctx.returnHint,
    );
  }
  if (e.kind !== 'argN' && e.kind !== 'param') return;
  if (ctx.place === 'user' && ctx.kernelLine) {
    throw cur.error(
      'E_SPEC_ARG',
      `${quote(text)} is not available in uprobes`,
      e.span.start,
      width(e),
      'a uprobe line cannot read function arguments by name or number: read the register of the calling convention (e.g. %di), or use the probekit form u:PATH:SYMBOL(arg1)',
    );
  }
  if (!ctx.atEntry) {
    throw cur.error(
      'E_SPEC_ARG',
      `function argument ${quote(text)} is only known at the function entry`,
      e.span.start,
      width(e),
      'registers at an offset may hold other values: read them with %REG, or drop the offset',
    );
  }
}

/** Throws when `arg` cannot be fetched on this probe or its type does not fit. */
export function checkArg(cur: Cursor, arg: ArgSpec, ctx: ArgContext): void {
  const e = arg.expr;
  checkExpr(cur, e, ctx);
  if (ctx.place === 'tracepoint' && e.kind !== 'param') {
    throw cur.error(
      'E_SPEC_ARG',
      'tracepoint arguments are field names',
      e.span.start,
      width(e),
      'list the fields in events/GROUP/EVENT/format, or run probekit list t:GROUP:EVENT',
    );
  }
  const t = arg.type;
  if (t === null) return;
  const tlen = t.span.end - t.span.start;
  const isImmString = e.kind === 'imm' && e.value.startsWith('"');
  if ((e.kind === 'comm' || isImmString) && (t.base !== 'string' || t.array !== null)) {
    const what = e.kind === 'comm' ? '$comm' : 'an immediate string';
    throw cur.error(
      'E_SPEC_TYPE',
      `${what} needs the string type, not ${quote(t.text)}`,
      t.span.start,
      tlen,
      'write :string or leave the type out',
    );
  }
  if (ctx.place === 'user' && (t.base === 'symbol' || t.base === 'symstr')) {
    throw cur.error(
      'E_SPEC_TYPE',
      `type ${quote(t.base)} is only for kernel probes`,
      t.span.start,
      tlen,
      'in a uprobe read the address as x64',
    );
  }
  if (
    t.base === 'symstr' &&
    (e.kind === 'imm' || e.kind === 'comm' || (e.kind === 'deref' && e.user))
  ) {
    throw cur.error(
      'E_SPEC_TYPE',
      "type 'symstr' needs a kernel address",
      t.span.start,
      tlen,
      'read a register, a stack slot or kernel memory holding a kernel address',
    );
  }
  if (ctx.names === 'kernel') {
    if ((t.base === 'string' || t.base === 'ustring') && (e.kind === 'reg' || e.kind === 'stack')) {
      throw cur.error(
        'E_SPEC_TYPE',
        `type ${quote(t.text)} needs a memory fetch`,
        t.span.start,
        tlen,
        `read the string the value points to: +0(${cur.src.slice(e.span.start, e.span.end)}):${t.text}`,
      );
    }
    if (t.array !== null && !isMemory(e) && e.kind !== 'param' && e.kind !== 'member') {
      throw cur.error(
        'E_SPEC_TYPE',
        'an array needs a memory fetch',
        t.span.start,
        tlen,
        `read the array the value points to: +0(${cur.src.slice(e.span.start, e.span.end)}):${t.text}`,
      );
    }
  }
}
