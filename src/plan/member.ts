/**
 * Member paths on kernel function arguments (`file->f_path.dentry->d_name.name`)
 * become nested dereferences with offsets from BTF: each `->` after the first
 * reads a pointer, the last element is read at its offset with its own width
 * and signedness, a bitfield as a tracefs bitfield type, and a `char *` or
 * `char[N]` member as a string.
 *
 * We write our own offsets everywhere, also where the kernel could resolve BTF
 * names itself (`<argname>` in README, CONFIG_PROBE_EVENTS_BTF_ARGS): the
 * events are the same, the line works on older kernels, and explain can show
 * every offset. Without a resolver (no BTF here) but with kernel support, the
 * path is left for the kernel to resolve.
 */
import { isProbekitError, SpecError } from '../errors.js';
import type { FetchExpr, Span } from '../spec/types.js';
import { errorAt, type ProbeContext, unsupportedAt } from './context.js';
import { checkAggregates, type Fetched, fetchExpr } from './fetch.js';
import type { FunctionParam, MemberResolution } from './types.js';
import { userMemoryReason } from './user-memory.js';

type MemberExpr = Extract<FetchExpr, { kind: 'member' }>;
type PathElement = MemberExpr['path'][number];

function pathText(path: readonly PathElement[]): string {
  return path.map((p) => `${p.op}${p.name}`).join('');
}

/** The span of path element `i` in the probe text (elements follow the base with no spaces). */
function elementSpan(expr: MemberExpr, i: number): Span {
  let start = expr.base.span.end;
  for (let j = 0; j < i; j++)
    start += (expr.path[j]?.op.length ?? 0) + (expr.path[j]?.name.length ?? 0);
  const el = expr.path[i];
  return { start, end: start + (el ? el.op.length + el.name.length : 0) };
}

/** The parameter a member path starts from. */
function rootParam(ctx: ProbeContext, expr: MemberExpr): FunctionParam | null {
  const base = expr.base;
  const params = ctx.prototype?.params ?? [];
  if (base.kind === 'param') return params.find((p) => p.name === base.name) ?? null;
  if (base.kind === 'argN') return params[base.index - 1] ?? null;
  return null;
}

/** Resolve with BTF; a bad element gets a caret on that element of the probe text. */
function resolve(ctx: ProbeContext, expr: MemberExpr, typeId: number): MemberResolution {
  try {
    return (ctx.resolveMember as NonNullable<ProbeContext['resolveMember']>)(typeId, expr.path);
  } catch (e) {
    if (!isProbekitError(e) || !(e instanceof SpecError)) throw e;
    const at = (e.details as { path?: unknown } | undefined)?.path;
    let span: Span = { start: expr.base.span.end, end: expr.span.end };
    for (let i = 0; i < expr.path.length; i++) {
      if (pathText(expr.path.slice(0, i + 1)) === at) span = elementSpan(expr, i);
    }
    throw new SpecError(e.code, `${ctx.func}: ${e.message}`, {
      input: ctx.spec.text,
      column: span.start,
      length: Math.max(1, span.end - span.start),
      hint: e.hint,
      details: e.details,
    });
  }
}

/** tracefs type for the final member, or null when it is not one readable value. */
function memberType(ctx: ProbeContext, r: MemberResolution, user: boolean): string | null {
  if (r.bitfield) return r.bitfield.tracefsType;
  if (r.string) return r.isUserPtr || user ? 'ustring' : 'string';
  if (r.isPointer) return ctx.arch.defaultType;
  if (r.size === 1 || r.size === 2 || r.size === 4 || r.size === 8)
    return `${r.signed ? 's' : 'u'}${r.size * 8}`;
  return null;
}

function needsBtf(ctx: ProbeContext, expr: MemberExpr, why: string): SpecError {
  return errorAt(
    ctx,
    'E_PLAN_NEEDS_BTF',
    `the member path ${pathText(expr.path)} needs BTF to find its offset`,
    expr.span,
    `${why}; write the offset yourself, e.g. +16(%reg)`,
  );
}

export function fetchMember(
  ctx: ProbeContext,
  expr: MemberExpr,
  name: string,
  listPosition: number,
): Fetched {
  const path = pathText(expr.path);
  const whole = `${expr.base.kind === 'param' ? expr.base.name : ''}${path}`;
  if (ctx.side === 'user') {
    throw needsBtf(ctx, expr, 'user programs have no BTF here');
  }
  if (!ctx.prototype) throw needsBtf(ctx, expr, `no BTF prototype is known for ${ctx.func}`);
  if (!ctx.resolveMember) {
    if (ctx.features.btfArgs) {
      // No BTF in this process, but the kernel resolves the names itself.
      const base = fetchExpr(ctx, expr.base, name, listPosition);
      const baseName = expr.base.kind === 'param' ? expr.base.name : base.fetch;
      return {
        ...base,
        fetch: `${baseName}${path}`,
        memory: true,
        notes: [...base.notes, 'member offsets resolved by the kernel from BTF'],
      };
    }
    throw needsBtf(
      ctx,
      expr,
      'this kernel does not resolve BTF argument names in probe events (CONFIG_PROBE_EVENTS_BTF_ARGS)',
    );
  }
  if (
    ctx.syscall &&
    expr.base.kind === 'param' &&
    ctx.syscall.params.some((p) => p.name === (expr.base as { name: string }).name)
  ) {
    throw needsBtf(
      ctx,
      expr,
      `the syscall arguments of ${ctx.func} come from the tracepoint format, which gives no BTF type`,
    );
  }
  if (expr.base.kind !== 'param' && expr.base.kind !== 'argN') {
    throw errorAt(
      ctx,
      'E_PLAN_MEMBER_BASE',
      `a member path starts at a parameter of ${ctx.func}, by name or as argN`,
      expr.base.span,
      'write e.g. file->f_path.dentry, or +OFFSET(...) for other values',
    );
  }
  const p = rootParam(ctx, expr);
  // An unknown name: fetchExpr reports it with the parameter list.
  const base = fetchExpr(ctx, expr.base, name, listPosition);
  if (!p || p.typeId === undefined) throw needsBtf(ctx, expr, `the type of ${name} is not known`);
  if (expr.base.kind === 'argN') checkAggregates(ctx, expr.base.index, name, expr.span);
  const r = resolve(ctx, expr, p.typeId);
  const userWhy = userMemoryReason(ctx.func, p);
  const u = userWhy ? 'u' : '';
  if (userWhy && !ctx.features.userDeref) {
    throw unsupportedAt(
      ctx,
      'userDeref',
      'this kernel cannot dereference user memory (+u) in kprobes',
      expr.span,
      'user dereferences need Linux 5.2 or later',
    );
  }
  let body = base.fetch;
  for (const off of r.reads) body = `+${u}${off}(${body})`;
  body = `+${u}${r.offset}(${body})`;
  const steps = (r.steps ?? []).map((s) => `${s.op}${s.name} +${s.offset}`).join(' ');
  const type = memberType(ctx, r, userWhy !== null);
  const notes = [...base.notes, `member offsets from BTF: ${steps} (${r.type})`];
  if (userWhy) notes.push(userWhy);
  return {
    ...base,
    fetch: body,
    memory: true,
    holdsPointer: r.string !== 'array',
    inferred: {
      type,
      note:
        type === null
          ? `${whole} is ${r.type} (${r.size} bytes), not one value tracefs can read`
          : `type ${type} from BTF (${r.type}${r.bitfield ? ', a bitfield' : ''})`,
    },
    notes,
  };
}
