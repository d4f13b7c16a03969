/**
 * Raw kernel lines (`p:grp/ev do_sys_open dfd=%di`) are written back exactly as
 * typed, token for token, with only a missing group or event filled in. The
 * arguments are still checked (registers against the arch table) and described
 * for explain.
 */
import type { ArgSpec } from '../spec/types.js';
import type { ProbeContext } from './context.js';
import { fetchExpr } from './fetch.js';
import type { PlannedArg } from './types.js';

/** Splits the line on whitespace, dropping a `#` comment (tracefs does the same). */
export function rawTokens(text: string): string[] {
  const hash = text.indexOf('#');
  const body = hash >= 0 ? text.slice(0, hash) : text;
  return body
    .trim()
    .split(/\s+/)
    .filter((t) => t.length > 0);
}

/** The line with the head rewritten as `KIND:GROUP/EVENT`; the rest is kept. */
export function rawDefinition(text: string, group: string, event: string): string {
  const [head = '', ...rest] = rawTokens(text);
  const kind = /^[pr](?:0[xX][0-9a-fA-F]+|\d*)/.exec(head)?.[0] ?? head;
  return [`${kind}:${group}/${event}`, ...rest].join(' ');
}

function rawArg(ctx: ProbeContext, arg: ArgSpec, index: number): PlannedArg {
  const token = ctx.spec.text.slice(arg.span.start, arg.span.end);
  const body = arg.explicitName ? token.slice(token.indexOf('=') + 1) : token;
  const base = { name: arg.name, fetch: body, type: arg.type?.text ?? ctx.arch.defaultType, token };
  if (arg.expr.kind === 'param' || arg.expr.kind === 'member') {
    return {
      ...base,
      position: null,
      register: null,
      ptRegs: null,
      asm: null,
      notes: ['a BTF argument: the kernel resolves it by name'],
    };
  }
  // argN on a raw line is `$argN`: the kernel reads it, we only say where it lives.
  const f = fetchExpr(ctx, arg.expr, arg.name, index + 1);
  return {
    ...base,
    position: f.position,
    register: f.register,
    ptRegs: f.ptRegs,
    asm: f.asm,
    notes: f.notes,
  };
}

export function planRawArgs(ctx: ProbeContext): PlannedArg[] {
  return (ctx.spec.args ?? []).map((a, i) => rawArg(ctx, a, i));
}
