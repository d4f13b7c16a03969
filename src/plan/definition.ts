/**
 * Definition and removal lines for kprobes and uprobes (kernel-interfaces.md §1.2):
 *   p:GRP/EVENT [MOD:]SYM[+OFFS] ARGS        r[MAXACTIVE]:GRP/EVENT SYM ARGS
 *   p:GRP/EVENT /abs/path:0xOFFSET ARGS      r:GRP/EVENT /abs/path:0xOFFSET ARGS
 *   -:GRP/EVENT
 */
import { SpecError, UnsupportedError } from '../errors.js';
import type { KernelTarget, ProbeSpec, UserTarget } from '../spec/types.js';
import type { DefinitionFile, PlanFeatures, PlanOptions } from './types.js';

/** Which file takes the line: the specific one, else dynamic_events. */
export function definitionFile(side: 'kernel' | 'user', features: PlanFeatures): DefinitionFile {
  const specific = side === 'kernel' ? features.kprobeEvents : features.uprobeEvents;
  if (specific) return side === 'kernel' ? 'kprobe_events' : 'uprobe_events';
  if (features.dynamicEvents) return 'dynamic_events';
  const what = side === 'kernel' ? 'kprobe' : 'uprobe';
  throw new UnsupportedError(
    side === 'kernel' ? 'kprobeEvents' : 'uprobeEvents',
    `this kernel has no ${what} events (neither ${what}_events nor dynamic_events in tracefs)`,
    {
      hint: `the kernel needs CONFIG_${what.toUpperCase()}_EVENTS; run 'probekit doctor'`,
    },
  );
}

export function kernelPlace(spec: ProbeSpec, t: KernelTarget): string {
  const where =
    t.symbol !== null
      ? `${t.module !== null ? `${t.module}:` : ''}${t.symbol}`
      : `0x${(t.address ?? 0n).toString(16)}`;
  if (t.offset !== 0n && spec.kind === 'kretprobe') {
    throw new SpecError(
      'E_PLAN_RETURN_OFFSET',
      'a return probe must be placed at the function entry, not at an offset',
      {
        input: spec.text,
        column: t.span.start,
        length: t.span.end - t.span.start,
        hint: `write kr:${t.symbol ?? where} without +${t.offset}`,
      },
    );
  }
  return t.offset !== 0n ? `${where}+${t.offset}` : where;
}

export interface UserPlace {
  readonly place: string;
  readonly notes: readonly string[];
}

export function userPlace(spec: ProbeSpec, t: UserTarget, options: PlanOptions): UserPlace {
  const span = { input: spec.text, column: t.span.start, length: t.span.end - t.span.start };
  const refCtr = t.refCtrOffset !== null ? `(0x${t.refCtrOffset.toString(16)})` : '';
  if (t.symbol === null) {
    if (!t.path.startsWith('/')) {
      throw new SpecError(
        'E_PLAN_USER_PATH',
        `a uprobe at a file offset needs the absolute path of the binary, not '${t.path}'`,
        {
          ...span,
          hint: 'write the full path, e.g. u:/usr/bin/bash:0x4a0',
        },
      );
    }
    return { place: `${t.path}:0x${t.offset.toString(16)}${refCtr}`, notes: [] };
  }
  const plus = t.offset !== 0n ? `+${t.offset}` : '';
  if (!options.resolveUser) {
    if (options.userPlaceholders) {
      return {
        place: `${t.path}:${t.symbol}${plus}${refCtr}`,
        notes: [
          `placeholder: a real run turns ${t.symbol} into a file offset in ${t.path} from its ELF symbol table`,
        ],
      };
    }
    throw new SpecError(
      'E_PLAN_NEEDS_ELF',
      `the uprobe on ${t.symbol} needs an ELF lookup to find its file offset in ${t.path}`,
      {
        ...span,
        hint: 'plan with a resolveUser option (the ELF reader), or give the file offset: u:/abs/path:0xOFFSET',
      },
    );
  }
  const found = options.resolveUser(t.path, t.symbol);
  if (!found) {
    throw new SpecError('E_PLAN_USER_SYMBOL', `no function '${t.symbol}' in ${t.path}`, {
      ...span,
      hint: `list its functions with 'probekit list u:${t.path}'`,
    });
  }
  return { place: `${found.path}:0x${(found.offset + t.offset).toString(16)}${refCtr}`, notes: [] };
}

/** `p:GRP/EVENT` or `r[MAXACTIVE]:GRP/EVENT`. */
export function definitionHead(spec: ProbeSpec, group: string, event: string): string {
  const ret = spec.kind === 'kretprobe' || spec.kind === 'uretprobe';
  return `${ret ? `r${spec.maxactive ?? ''}` : 'p'}:${group}/${event}`;
}

export function removalLine(group: string, event: string): string {
  return `-:${group}/${event}`;
}
