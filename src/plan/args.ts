/**
 * Arguments: each ArgSpec → one `NAME=FETCH[:TYPE]` token, with the register
 * that carries it for explain. Limits from kernel/trace/trace_probe.h: 128
 * arguments per probe, 63 characters per argument body (after `NAME=`).
 */
import type { ArgSpec, Span, TypeSpec } from '../spec/types.js';
import { errorAt, type ProbeContext, unsupportedAt } from './context.js';
import { type Fetched, fetchArgument, fetchExpr } from './fetch.js';
import type { FunctionPrototype, PlannedArg } from './types.js';

export const MAX_ARGS = 128;
export const MAX_ARG_BODY = 63;

type Param = FunctionPrototype['params'][number];

/** The type tracefs should use for a prototype parameter. */
export function paramType(ctx: ProbeContext, p: Param): string {
  if (p.isString) return p.isUserPtr && ctx.side === 'kernel' ? 'ustring' : 'string';
  if (p.isPointer) return ctx.arch.defaultType;
  if (p.size === 1 || p.size === 2 || p.size === 4 || p.size === 8)
    return `${p.signed ? 's' : 'u'}${p.size * 8}`;
  return ctx.arch.defaultType;
}

/** The type for `retval` from the prototype's return type, when its size is known. */
function returnType(ctx: ProbeContext): string | null {
  const p = ctx.prototype;
  if (!p || p.returnIsPointer || p.returnSize === undefined) return null;
  const size = p.returnSize;
  if (size !== 1 && size !== 2 && size !== 4 && size !== 8) return null;
  return `${p.returnSigned ? 's' : 'u'}${size * 8}`;
}

/** Checks that the kernel knows the type, and fixes string types on non-memory fetches. */
function applyType(
  ctx: ProbeContext,
  fetched: Fetched,
  typeText: string | null,
  span: Span,
): { body: string; type: string; notes: string[] } {
  const notes: string[] = [];
  if (typeText === null) return { body: fetched.fetch, type: ctx.arch.defaultType, notes };
  const base = typeText.replace(/\[.*$/, '');
  if (base === 'ustring' && ctx.side === 'kernel' && !ctx.features.ustring) {
    throw unsupportedAt(
      ctx,
      'ustring',
      'this kernel has no ustring type to read a user-space string from a kprobe',
      span,
      'ustring needs Linux 5.2 or later; a uprobe reads user strings with :string',
    );
  }
  if (base === 'char' && !ctx.features.char) {
    throw unsupportedAt(
      ctx,
      'char',
      'this kernel has no char type in probe events',
      span,
      'char needs Linux 6.3 or later; use :u8',
    );
  }
  if (base === 'symstr' && !ctx.features.symstr) {
    throw unsupportedAt(
      ctx,
      'symstr',
      'this kernel has no symstr type in probe events',
      span,
      'symstr needs Linux 6.2 or later; use :symbol',
    );
  }
  let body = fetched.fetch;
  if ((base === 'string' || base === 'ustring') && !fetched.memory) {
    // The kernel refuses a string on a register or stack value (BAD_STRING): read what it points to.
    body = `+0(${body})`;
    notes.push(`the value is a pointer: the string is read from memory at +0(${fetched.fetch})`);
  }
  return { body: `${body}:${typeText}`, type: typeText, notes };
}

function planOne(ctx: ProbeContext, arg: ArgSpec, listPosition: number): PlannedArg {
  if (ctx.spec.target.kind === 'tracepoint') return tracepointField(arg);
  const fetched = fetchExpr(ctx, arg.expr, arg.name, listPosition);
  let typeText: string | null = arg.type?.text ?? null;
  const notes = [...fetched.notes];
  if (arg.expr.kind === 'comm') {
    if (typeText !== null && typeText !== 'string') {
      throw errorAt(
        ctx,
        'E_PLAN_TYPE',
        `comm is a string; it cannot be read as ${typeText}`,
        (arg.type as TypeSpec).span,
        'leave the type out or write :string',
      );
    }
    typeText = 'string';
  } else if (typeText === null && ctx.prototype && arg.expr.kind === 'retval') {
    const t = returnType(ctx);
    if (t) {
      typeText = t;
      notes.push(`type ${t} from the prototype (returns ${ctx.prototype.returnType})`);
    }
  } else if (
    typeText === null &&
    ctx.prototype &&
    fetched.position !== null &&
    arg.expr.kind !== 'deref'
  ) {
    const p = ctx.prototype.params[fetched.position - 1];
    if (p) {
      typeText = paramType(ctx, p);
      notes.push(`type ${typeText} from the prototype`);
    }
  }
  const typed = applyType(ctx, fetched, typeText, arg.type?.span ?? arg.expr.span);
  notes.push(...typed.notes);
  checkBody(ctx, typed.body, arg.expr.span);
  return {
    name: arg.name,
    position: fetched.position,
    register: fetched.register,
    ptRegs: fetched.ptRegs,
    asm: fetched.asm,
    fetch: typed.body,
    type: typed.type,
    token: `${arg.name}=${typed.body}`,
    notes,
  };
}

function checkBody(ctx: ProbeContext, body: string, span: Span): void {
  if (body.length > MAX_ARG_BODY) {
    throw errorAt(
      ctx,
      'E_PLAN_ARG_TOO_LONG',
      `this argument becomes '${body}', ${body.length} characters; tracefs takes at most ${MAX_ARG_BODY} after NAME=`,
      span,
      'shorten the expression: fewer nested dereferences, or a shorter type',
    );
  }
}

/** A tracepoint argument names one of the event's own fields; nothing is fetched. */
function tracepointField(arg: ArgSpec): PlannedArg {
  return {
    name: arg.name,
    position: null,
    register: null,
    ptRegs: null,
    asm: null,
    fetch: arg.name,
    type: arg.type?.text ?? 'field',
    token: arg.name,
    notes: ['a field the tracepoint records itself'],
  };
}

/** `args` / `$arg*`: every parameter of the prototype, typed. */
function allArgs(ctx: ProbeContext, span: Span): PlannedArg[] {
  const proto = ctx.prototype;
  if (!proto) {
    throw errorAt(
      ctx,
      'E_PLAN_NEEDS_BTF',
      `taking every argument needs the prototype of ${ctx.func}`,
      span,
      'BTF (/sys/kernel/btf/vmlinux) gives kernel prototypes; otherwise list the arguments by name',
    );
  }
  return proto.params.map((p, i) => {
    const fetched = fetchArgument(ctx, i + 1, p.name, { kind: 'param', name: p.name, span });
    const typed = applyType(ctx, fetched, paramType(ctx, p), span);
    checkBody(ctx, typed.body, span);
    return {
      name: p.name,
      position: i + 1,
      register: fetched.register,
      ptRegs: fetched.ptRegs,
      asm: fetched.asm,
      fetch: typed.body,
      type: typed.type,
      token: `${p.name}=${typed.body}`,
      notes: [...fetched.notes, `${p.type} ${p.name}`, ...typed.notes],
    };
  });
}

export function planArgs(ctx: ProbeContext): PlannedArg[] {
  const spec = ctx.spec;
  const out: PlannedArg[] = [];
  if (spec.allArgs) out.push(...allArgs(ctx, spec.target.span));
  (spec.args ?? []).forEach((arg, i) => {
    out.push(planOne(ctx, arg, i + 1));
  });
  if (out.length > MAX_ARGS) {
    const extra = spec.args?.[MAX_ARGS] ?? spec.args?.[spec.args.length - 1];
    throw errorAt(
      ctx,
      'E_PLAN_TOO_MANY_ARGS',
      `${out.length} arguments; tracefs takes at most ${MAX_ARGS} per probe`,
      extra?.span ?? spec.target.span,
      'split them over two probes on the same function',
    );
  }
  const seen = new Map<string, ArgSpec | null>();
  for (const [i, a] of out.entries()) {
    if (seen.has(a.name)) {
      const spanArg = spec.args?.find(
        (s, j) => s.name === a.name && j + (out.length - (spec.args?.length ?? 0)) === i,
      );
      throw errorAt(
        ctx,
        'E_PLAN_DUP_ARG',
        `the argument name '${a.name}' is used twice`,
        spanArg?.span ?? spec.target.span,
        'give one of them another name with NAME=...',
      );
    }
    seen.set(a.name, null);
  }
  return out;
}
