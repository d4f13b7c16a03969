/**
 * One fetch expression → the fetcharg body tracefs takes (kernel-interfaces.md
 * §1.4), with where the value comes from for explain.
 */
import { argLocation, checkRegister, describeRegister } from '../arch/index.js';
import type { FetchExpr } from '../spec/types.js';
import { errorAt, type ProbeContext, unsupportedAt } from './context.js';
import { fetchMember } from './member.js';
import { fetchSyscallArg, isPtRegsWrapper } from './syscall.js';

export interface Fetched {
  readonly fetch: string;
  /** 1-based function argument position, when the value is one. */
  readonly position: number | null;
  readonly register: string | null;
  readonly ptRegs: string | null;
  readonly asm: string | null;
  /** True for memory-type fetches, which tracefs lets be strings (§1.5). */
  readonly memory: boolean;
  /**
   * The fetched value is itself a pointer (a `char *` read from memory), so a
   * string type reads where it points: `+0(FETCH)`.
   */
  readonly holdsPointer?: boolean;
  /** The type the value has by its BTF type (member paths), or null when tracefs cannot read it as one value. */
  readonly inferred?: { readonly type: string | null; readonly note: string };
  readonly notes: readonly string[];
}

function plain(fetch: string, memory: boolean, notes: readonly string[] = []): Fetched {
  return { fetch, position: null, register: null, ptRegs: null, asm: null, memory, notes };
}

function hex(n: bigint): string {
  return `0x${n.toString(16)}`;
}

function signedOffset(n: bigint): string {
  return n < 0n ? `-${-n}` : `+${n}`;
}

/** Function argument `n` (1-based) for this probe: a register, a stack slot, `$argN` at return, or an error. */
export function fetchArgument(
  ctx: ProbeContext,
  n: number,
  what: string,
  expr: FetchExpr,
): Fetched {
  const { arch, side, spec } = ctx;
  if (ctx.isReturn) {
    if (side === 'kernel' && ctx.features.argNAtReturn && arch.hasArgN) {
      return {
        ...plain(`$arg${n}`, false, [
          `argument ${n} at return: the kernel saved its entry value ($argN in return probes, 6.10+)`,
        ]),
        position: n,
      };
    }
    const why =
      side === 'user'
        ? 'uprobes cannot read entry arguments in a return probe'
        : !arch.hasArgN
          ? `${arch.name} has no $argN support in probe events`
          : 'this kernel cannot read entry arguments in a return probe ($argN at return needs 6.10)';
    throw errorAt(
      ctx,
      'E_PLAN_ARG_AT_RETURN',
      `${what} is an argument of ${ctx.func}, but a return probe sees only the return value`,
      expr.span,
      `${why}; probe the entry as well (${side === 'kernel' ? 'k' : 'u'}:${ctx.func}(...)) and read the return with retval`,
    );
  }
  const loc = argLocation(arch, side, n);
  if (loc.kind === 'reg') {
    return {
      fetch: `%${loc.reg}`,
      position: n,
      register: `%${loc.reg}`,
      ptRegs: loc.ptRegs,
      asm: loc.asm,
      memory: false,
      notes: [],
    };
  }
  if (loc.kind === 'none') {
    throw errorAt(
      ctx,
      'E_PLAN_STACK_ARG',
      `${what} is argument ${n} of ${ctx.func}, which ${arch.name} does not pass in a register`,
      expr.span,
      loc.reason,
    );
  }
  const t = spec.target;
  const offset = t.kind === 'kernel' || (t.kind === 'user' && t.symbol !== null) ? t.offset : 0n;
  if (offset !== 0n) {
    throw errorAt(
      ctx,
      'E_PLAN_STACK_ARG',
      `${loc.note}, but this probe is not at the function's entry`,
      expr.span,
      `write ${what}=${loc.fetch} yourself if nothing was pushed before +${offset}, or probe the entry`,
    );
  }
  return { ...plain(loc.fetch, false, [loc.note]), position: n };
}

export function fetchExpr(
  ctx: ProbeContext,
  expr: FetchExpr,
  name: string,
  listPosition: number,
): Fetched {
  const { arch, side, features } = ctx;
  switch (expr.kind) {
    case 'param':
      return fetchParam(ctx, expr, listPosition);
    case 'argN': {
      // For a pt_regs syscall wrapper, argN is the syscall's argument N.
      const sys = ctx.syscall?.params[expr.index - 1];
      if (sys) return fetchSyscallArg(ctx, expr.index, sys, expr.span);
      checkAggregates(ctx, expr.index, name, expr.span);
      return fetchArgument(ctx, expr.index, name, expr);
    }
    case 'retval': {
      if (!ctx.isReturn) {
        throw errorAt(
          ctx,
          'E_PLAN_RETVAL',
          'retval exists only in return probes',
          expr.span,
          `use kr:${ctx.func}(...) or ur:... to read the return value`,
        );
      }
      if (ctx.prototype?.returnIsVoid) {
        throw errorAt(
          ctx,
          'E_PLAN_VOID_RETVAL',
          `${ctx.func} returns void: there is no return value to read`,
          expr.span,
          'drop retval; the return probe still records when the function returns',
        );
      }
      const d = describeRegister(arch, arch.retReg);
      return {
        fetch: '$retval',
        position: null,
        register: d.register,
        ptRegs: d.ptRegs,
        asm: d.asm,
        memory: false,
        notes: [],
      };
    }
    case 'comm':
      return plain('$comm', true);
    case 'stack':
      return plain(expr.index === null ? '$stack' : `$stack${expr.index}`, false);
    case 'reg': {
      const check = checkRegister(arch, expr.reg);
      if (!check.ok) {
        throw errorAt(
          ctx,
          'E_PLAN_REGISTER',
          `${arch.name} has no register '%${expr.reg}' in tracefs`,
          expr.span,
          check.hint,
        );
      }
      const d = describeRegister(arch, check.reg);
      return {
        fetch: `%${check.reg}`,
        position: null,
        register: d.register,
        ptRegs: d.ptRegs,
        asm: d.asm,
        memory: false,
        notes: [],
      };
    }
    case 'addr':
      return plain(`@${hex(expr.address)}`, true);
    case 'sym':
      if (side === 'user') {
        throw errorAt(
          ctx,
          'E_PLAN_FETCH',
          `@${expr.symbol} reads a kernel symbol, which a uprobe cannot`,
          expr.span,
          'use @+FILE_OFFSET for data in the probed binary',
        );
      }
      return plain(`@${expr.symbol}${expr.offset === 0n ? '' : signedOffset(expr.offset)}`, true);
    case 'fileoff':
      if (side === 'kernel') {
        throw errorAt(
          ctx,
          'E_PLAN_FETCH',
          '@+OFFSET is a file offset of a probed binary, which a kprobe does not have',
          expr.span,
          'use @SYMBOL or @ADDRESS in kernel probes',
        );
      }
      return plain(`@+${hex(expr.offset)}`, true);
    case 'imm':
      if (!features.immediates) {
        throw unsupportedAt(
          ctx,
          'immediates',
          'this kernel does not take immediate values (\\IMM) in probe arguments',
          expr.span,
          'immediates need Linux 5.7 or later',
        );
      }
      return plain(`\\${expr.value}`, true);
    case 'deref': {
      if (expr.user && side === 'kernel' && !features.userDeref) {
        throw unsupportedAt(
          ctx,
          'userDeref',
          'this kernel cannot dereference user memory (+u) in kprobes',
          expr.span,
          'user dereferences need Linux 5.2 or later',
        );
      }
      const {
        inferred: _t,
        holdsPointer: _p,
        ...inner
      } = fetchExpr(ctx, expr.inner, name, listPosition);
      const sign = expr.offset < 0n ? '-' : '+';
      const abs = expr.offset < 0n ? -expr.offset : expr.offset;
      // A dereference reads memory at an address; the inner value's BTF type no longer applies.
      return {
        ...inner,
        fetch: `${sign}${expr.user ? 'u' : ''}${abs}(${inner.fetch})`,
        memory: true,
      };
    }
    case 'member':
      return fetchMember(ctx, expr, name, listPosition);
  }
}

/** A struct passed by value before (or at) position n takes an unknown number of registers. */
export function checkAggregates(
  ctx: ProbeContext,
  n: number,
  what: string,
  span: { start: number; end: number },
): void {
  const params = ctx.prototype?.params ?? [];
  const agg = params.slice(0, n).find((p) => p.isAggregate);
  if (agg) {
    throw errorAt(
      ctx,
      'E_PLAN_AGGREGATE_ARG',
      `${what} cannot be located: ${ctx.func} takes ${agg.type} ${agg.name} by value`,
      span,
      'a struct passed by value takes several registers or stack space, so registers no longer follow positions; read it with %REG or $stackN yourself',
    );
  }
}

export function fetchParam(
  ctx: ProbeContext,
  expr: { name: string; span: { start: number; end: number } },
  listPosition: number,
): Fetched {
  const proto = ctx.prototype;
  if (!proto) {
    const f = fetchArgument(ctx, listPosition, expr.name, {
      kind: 'param',
      name: expr.name,
      span: expr.span,
    });
    return { ...f, notes: [...f.notes, 'taken by position: no prototype known'] };
  }
  if (ctx.syscall) {
    const j = ctx.syscall.params.findIndex((p) => p.name === expr.name);
    if (j >= 0) return fetchSyscallArg(ctx, j + 1, ctx.syscall.params[j]!, expr.span);
  }
  const i = proto.params.findIndex((p) => p.name === expr.name);
  if (i < 0) {
    const own = proto.params.map((p) => p.name);
    const names = own.join(', ') || '(none)';
    const wrapper = !ctx.syscall && isPtRegsWrapper(proto);
    throw errorAt(
      ctx,
      'E_PLAN_UNKNOWN_PARAM',
      `${ctx.func} has no parameter '${expr.name}'`,
      expr.span,
      wrapper
        ? `its only parameter is ${own.join(', ')} (a syscall wrapper taking struct pt_regs *); the syscall's argument names come from its sys_enter tracepoint format, which could not be read`
        : ctx.syscall
          ? `the arguments of syscall ${ctx.syscall.syscall} are: ${ctx.syscall.params.map((p) => p.name).join(', ')} (and ${ctx.func} itself takes ${names})`
          : `its parameters are: ${names}`,
    );
  }
  checkAggregates(ctx, i + 1, expr.name, expr.span);
  return fetchArgument(ctx, i + 1, expr.name, { kind: 'param', name: expr.name, span: expr.span });
}
