/**
 * Arguments: each ArgSpec → one `NAME=FETCH[:TYPE]` token, with the register
 * that carries it for explain. Limits from kernel/trace/trace_probe.h: 128
 * arguments per probe, 63 characters per argument body (after `NAME=`).
 */

import { isProbekitError } from '../errors.js';
import type { ArgSpec, Span, TypeSpec } from '../spec/types.js';
import { errorAt, type ProbeContext, unsupportedAt } from './context.js';
import { checkAggregates, type Fetched, fetchArgument, fetchExpr } from './fetch.js';
import { fetchSyscallArg } from './syscall.js';
import type { FunctionPrototype, PlannedArg } from './types.js';
import { userMemoryReason } from './user-memory.js';

export const MAX_ARGS = 128;
export const MAX_ARG_BODY = 63;

type Param = FunctionPrototype['params'][number];

/** The type tracefs should use for a prototype parameter (user strings need ustring in kprobes). */
export function paramType(ctx: ProbeContext, p: Param, user = p.isUserPtr): string {
  if (p.isString)
    return user && ctx.side === 'kernel' && ctx.features.ustring ? 'ustring' : 'string';
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
  if ((base === 'string' || base === 'ustring') && (!fetched.memory || fetched.holdsPointer)) {
    // The kernel refuses a string on a register or stack value (BAD_STRING): read what it points to.
    // An array of user strings: the pointers themselves sit in user memory, so read them with +u.
    const userArray =
      base === 'ustring' &&
      typeText.includes('[') &&
      ctx.side === 'kernel' &&
      ctx.features.userDeref;
    const deref = userArray ? '+u0' : '+0';
    body = `${deref}(${body})`;
    notes.push(
      `the value is a pointer: the string${userArray ? 's are' : ' is'} read from ${userArray ? 'user ' : ''}memory at ${deref}(${fetched.fetch})`,
    );
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
  } else if (typeText === null && fetched.inferred) {
    if (fetched.inferred.type === null) {
      throw errorAt(
        ctx,
        'E_PLAN_MEMBER_TYPE',
        fetched.inferred.note,
        arg.expr.span,
        'name one of its members, or give a type (e.g. :x64) to read its first bytes',
      );
    }
    typeText = fetched.inferred.type;
    notes.push(fetched.inferred.note);
  } else if (
    typeText === null &&
    ctx.prototype &&
    fetched.position !== null &&
    (arg.expr.kind === 'param' || arg.expr.kind === 'argN')
  ) {
    const p = paramAt(ctx, arg.expr, fetched.position);
    if (p) {
      const user = userReason(ctx, p);
      typeText = paramType(ctx, p, user !== null);
      notes.push(`type ${typeText} from the prototype (${p.type} ${p.name})`);
      if (user) notes.push(user);
    }
  }
  const typed = applyType(ctx, fetched, typeText, arg.type?.span ?? arg.expr.span);
  notes.push(...typed.notes);
  checkBody(ctx, typed.body, arg.expr.span);
  const errno =
    arg.expr.kind === 'retval' &&
    ctx.side === 'kernel' &&
    ctx.prototype?.returnSigned === true &&
    !ctx.prototype.returnIsPointer &&
    /^s(32|64)$/.test(typed.type);
  return {
    ...(errno ? { errno: true } : {}),
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

/** Why a parameter is user memory: a syscall argument, a __user tag, or the syscall-name rule. */
function userReason(ctx: ProbeContext, p: Param): string | null {
  if (ctx.side !== 'kernel') return null;
  if (ctx.syscall?.params.includes(p)) {
    return p.isPointer
      ? `${p.name} is a pointer argument of syscall ${ctx.syscall.syscall}: user memory`
      : null;
  }
  return userMemoryReason(ctx.func, p);
}

/** The parameter an argument names: a syscall argument for a pt_regs wrapper, else the prototype's. */
function paramAt(
  ctx: ProbeContext,
  expr: { kind: 'param'; name: string } | { kind: 'argN'; index: number },
  position: number,
): Param | undefined {
  if (ctx.syscall) {
    const s =
      expr.kind === 'param'
        ? ctx.syscall.params.find((p) => p.name === expr.name)
        : ctx.syscall.params[expr.index - 1];
    if (s) return s;
  }
  return ctx.prototype?.params[position - 1];
}

/** `args` / `$arg*` (or no list at all): every parameter of the prototype, typed. */
function allArgs(ctx: ProbeContext, span: Span, skipped?: string[]): PlannedArg[] {
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
  const sys = ctx.syscall;
  const params = sys ? sys.params : proto.params;
  const out: PlannedArg[] = [];
  for (const [i, p] of params.entries()) {
    try {
      if (!sys) checkAggregates(ctx, i + 1, p.name, span);
      out.push(oneParam(ctx, p, i + 1, span));
    } catch (e) {
      // Without a list (`k:FUNC`), record what can be located and say why the rest is not.
      if (!skipped || !isProbekitError(e)) throw e;
      const rest = params.slice(i).map((q) => q.name);
      skipped.push(`not recorded: ${rest.join(', ')} (${e.message})`);
      break;
    }
  }
  return out;
}

function oneParam(ctx: ProbeContext, p: Param, n: number, span: Span): PlannedArg {
  const expr = { kind: 'param', name: p.name, span } as const;
  const fetched = ctx.syscall
    ? fetchSyscallArg(ctx, n, p, span)
    : fetchArgument(ctx, n, p.name, expr);
  const user = userReason(ctx, p);
  const typed = applyType(ctx, fetched, paramType(ctx, p, user !== null), span);
  checkBody(ctx, typed.body, span);
  return {
    name: p.name,
    position: n,
    register: fetched.register,
    ptRegs: fetched.ptRegs,
    asm: fetched.asm,
    fetch: typed.body,
    type: typed.type,
    token: `${p.name}=${typed.body}`,
    notes: [...fetched.notes, `${p.type} ${p.name}`, ...(user ? [user] : []), ...typed.notes],
  };
}

/**
 * With a prototype and no argument list, `k:FUNC` records every parameter it
 * can locate and `kr:FUNC` the return value (when there is one). A probe at
 * an offset into the function records nothing: the registers may be reused.
 */
function implicitArgs(ctx: ProbeContext, notes: string[]): PlannedArg[] {
  const spec = ctx.spec;
  const span = spec.target.span;
  if (!ctx.isReturn) {
    if (spec.target.kind === 'kernel' && spec.target.offset !== 0n) return [];
    const args = allArgs(ctx, span, notes);
    if (args.length > 0)
      notes.push('no argument list: every parameter of the prototype is recorded');
    return args;
  }
  if (ctx.prototype?.returnIsVoid) return [];
  notes.push('no argument list: the return value is recorded');
  return [
    planOne(
      ctx,
      {
        name: 'retval',
        explicitName: false,
        expr: { kind: 'retval', span },
        type: null,
        span,
      },
      1,
    ),
  ];
}

/** The probe's arguments; `notes` collects probe-level notes (what a bare `k:FUNC` records). */
export function planArgs(ctx: ProbeContext, notes: string[] = []): PlannedArg[] {
  const spec = ctx.spec;
  const out: PlannedArg[] = [];
  if (spec.allArgs) out.push(...allArgs(ctx, spec.target.span));
  else if (
    spec.args === null &&
    spec.syntax === 'probekit' &&
    ctx.side === 'kernel' &&
    ctx.prototype
  ) {
    out.push(...implicitArgs(ctx, notes));
  }
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
