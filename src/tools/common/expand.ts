/**
 * Expanding function patterns into concrete probe targets on this machine:
 * tracepoints from tracefs `events/`, user functions from the binary's symbol
 * tables (one per address: aliases share a probe), kernel functions from the
 * traceable list minus what kprobes may not probe. Caps the number of probes.
 */
import {
  gatherFunctionFacts,
  listTracepointEvents,
  listTracepointGroups,
  listUserFunctions,
  locateTracefs,
  preflightKernelFunction,
  UnsupportedError,
  UsageError,
} from '../../index.js';
import { type FunctionPattern, globRegExp, isGlob } from './patterns.js';

export interface Target {
  readonly kind: FunctionPattern['kind'];
  /** The probe target text without a probe kind (`vfs_read`, `/usr/lib/.../libc.so.6:strlen`, `syscalls:sys_enter_read`). */
  readonly target: string;
  /** A short name for tables (`vfs_read`, `strlen`, `syscalls:sys_enter_read`). */
  readonly label: string;
}

export interface Expansion {
  readonly targets: readonly Target[];
  readonly notes: readonly string[];
}

/** More probes than this are refused: each is a tracefs write and a kernel object. */
export const MAX_PROBES = 1000;

export async function expandPatterns(
  tool: string,
  patterns: readonly FunctionPattern[],
  options: { pid?: number | undefined; max?: number } = {},
): Promise<Expansion> {
  const targets = new Map<string, Target>();
  const notes: string[] = [];
  const root = (await locateTracefs({ mount: true })).path;
  for (const p of patterns) {
    const found =
      p.kind === 'tracepoint'
        ? await tracepoints(root, p)
        : p.kind === 'user'
          ? userTargets(p, options.pid, notes)
          : await kernelTargets(root, p, notes);
    if (found.length === 0)
      throw new UsageError('E_NO_MATCH', `probekit ${tool}: nothing matches '${p.text}'`, {
        hint:
          p.kind === 'tracepoint'
            ? "see 'probekit list --tracepoints'"
            : p.kind === 'user'
              ? `see 'probekit list --uprobe ${p.path}'`
              : "see 'probekit list'",
      });
    for (const t of found) targets.set(`${t.kind}\0${t.target}`, t);
  }
  const max = options.max ?? MAX_PROBES;
  if (targets.size > max)
    throw new UsageError(
      'E_TOO_MANY_PROBES',
      `probekit ${tool}: the patterns match ${targets.size} functions; at most ${max} are probed at once`,
      { hint: 'narrow the pattern (e.g. vfs_read* instead of vfs_*)' },
    );
  return { targets: [...targets.values()], notes };
}

async function tracepoints(
  root: string,
  p: Extract<FunctionPattern, { kind: 'tracepoint' }>,
): Promise<Target[]> {
  if (!isGlob(p.group) && !isGlob(p.event))
    return [
      { kind: 'tracepoint', target: `${p.group}:${p.event}`, label: `${p.group}:${p.event}` },
    ];
  const gre = globRegExp(p.group);
  const ere = globRegExp(p.event);
  const out: Target[] = [];
  for (const g of (await listTracepointGroups(root)).filter((g) => gre.test(g))) {
    for (const e of (await listTracepointEvents(root, g)) ?? []) {
      if (ere.test(e)) out.push({ kind: 'tracepoint', target: `${g}:${e}`, label: `${g}:${e}` });
    }
  }
  return out;
}

function userTargets(
  p: Extract<FunctionPattern, { kind: 'user' }>,
  pid: number | undefined,
  notes: string[],
): Target[] {
  if (!isGlob(p.func)) return [{ kind: 'user', target: `${p.path}:${p.func}`, label: p.func }];
  const fns = listUserFunctions(p.path, p.func, pid === undefined ? {} : { pid });
  const byOffset = new Map<bigint, string>();
  let ifuncs = 0;
  for (const f of fns) {
    if (f.type === 'IFUNC') {
      ifuncs++;
      continue;
    }
    const had = byOffset.get(f.fileOffset);
    // Prefer the plain public name among aliases (strlen over __strlen).
    if (had === undefined || (had.startsWith('_') && !f.name.startsWith('_')))
      byOffset.set(f.fileOffset, f.name);
  }
  if (ifuncs > 0)
    notes.push(
      `${ifuncs} matching function(s) of ${p.path} are IFUNC resolvers (run once at load time, e.g. strlen picks __strlen_avx2): left out; probe the implementations instead`,
    );
  if (byOffset.size < fns.length - ifuncs)
    notes.push(`aliases at the same address are probed once (${p.path})`);
  return [...new Set(byOffset.values())].map((name) => ({
    kind: 'user' as const,
    target: `${p.path}:${name}`,
    label: name,
  }));
}

async function kernelTargets(
  root: string,
  p: Extract<FunctionPattern, { kind: 'kernel' }>,
  notes: string[],
): Promise<Target[]> {
  // One function: trace() preflights it (and says what to do without kprobes).
  if (!isGlob(p.func)) return [{ kind: 'kernel', target: p.func, label: p.func }];
  const facts = await gatherFunctionFacts(root, { mountDebugfs: true });
  if (!facts.features.kprobes) {
    // preflight says why and what to use instead.
    preflightKernelFunction(p.func.replace(/[*?]/g, '') || 'x', facts, 'kprobe');
    throw new UnsupportedError('kprobes', 'kernel functions need kprobes, which this kernel lacks');
  }
  const re = globRegExp(p.func);
  const out: Target[] = [];
  let refused = 0;
  for (const name of facts.traceable.names) {
    if (!re.test(name)) continue;
    try {
      preflightKernelFunction(name, facts, 'kprobe');
      out.push({ kind: 'kernel', target: name, label: name });
    } catch {
      refused++;
    }
  }
  if (refused > 0)
    notes.push(
      `${refused} matching kernel function(s) cannot be probed (blacklisted, notrace or ambiguous): left out`,
    );
  if (facts.traceable.note) notes.push(facts.traceable.note);
  out.sort((a, b) => (a.target < b.target ? -1 : 1));
  return out;
}

/** The probe text of a target: entry (`k:`, `u:`, `t:`) or return (`kr:`, `ur:`). */
export function probeText(t: Target, side: 'entry' | 'return', args = ''): string {
  const prefix =
    t.kind === 'tracepoint'
      ? 't'
      : t.kind === 'kernel'
        ? side === 'entry'
          ? 'k'
          : 'kr'
        : side === 'entry'
          ? 'u'
          : 'ur';
  return `${prefix}:${t.target}${args}`;
}
