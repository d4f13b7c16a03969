/**
 * From probe text to a checked plan against the running kernel: parse, find
 * tracefs, detect features, preflight every target (kernel functions,
 * tracepoints, user binaries), then plan. Nothing is written to the kernel here.
 */

import { hostArch } from '../arch/index.js';
import type { ArchName } from '../arch/types.js';
import { resolveUprobeTarget } from '../elf/index.js';
import { UnsupportedError, UsageError } from '../errors.js';
import {
  detectFeatures,
  gatherFunctionFacts,
  type KernelFeatures,
  locateTracefs,
  planFeatures,
  preflightKernelFunction,
  preflightTracepoint,
} from '../kernel/index.js';
import { plan } from '../plan/index.js';
import type { ProbePlan, TracepointFieldInfo } from '../plan/types.js';
import { parseProbe } from '../spec/index.js';
import type { ProbeSpec } from '../spec/types.js';
import { narrowInteger } from '../stream/ctypes.js';
import { newRunName } from '../tracefs/naming.js';
import { kernelPlanHooks } from './prototypes.js';

export interface PrepareOptions {
  /** tracefs root; found from /proc/mounts (and mounted when root) when absent. */
  readonly tracefs?: string;
  /** Pid whose mount namespace and maps resolve user binaries (`-p`). */
  readonly pid?: number;
  /** Group and instance name; a fresh `probekit_<pid>_<random>` when absent. */
  readonly name?: string;
}

export interface Prepared {
  readonly root: string;
  /** True when probekit mounted tracefs itself. */
  readonly mounted: boolean;
  readonly features: KernelFeatures;
  readonly specs: readonly ProbeSpec[];
  readonly plan: ProbePlan;
  readonly arch: ArchName;
  /** Notes worth showing with -v (preflight notes, positional guesses). */
  readonly notes: readonly string[];
}

export function parseAll(specs: readonly (string | ProbeSpec)[]): ProbeSpec[] {
  if (specs.length === 0) {
    throw new UsageError('E_NO_PROBES', 'no probe given', {
      hint: "give at least one probe, e.g. 't:syscalls:sys_enter_openat'",
    });
  }
  return specs.map((s) => (typeof s === 'string' ? parseProbe(s) : s));
}

export async function prepare(
  input: readonly (string | ProbeSpec)[],
  options: PrepareOptions = {},
): Promise<Prepared> {
  // A raw line's own group is replaced by this run's, so that the run owns, and
  // always removes, everything it defines (and a killed run's probes are swept).
  const specs = parseAll(input).map((s) =>
    s.syntax === 'raw' && s.group !== null ? { ...s, group: null } : s,
  );
  const loc = options.tracefs
    ? { path: options.tracefs, mounted: false }
    : await locateTracefs({ mount: true });
  const root = loc.path;
  const features = await detectFeatures(root);
  const arch = hostArch().name;
  const notes: string[] = [];

  const needsKernelFacts = specs.some((s) => s.target.kind === 'kernel');
  const facts = needsKernelFacts
    ? await gatherFunctionFacts(root, { features, mountDebugfs: true, arch })
    : null;
  const users = new Map<string, { path: string; offset: bigint }>();
  const tpFields = new Map<string, TracepointFieldInfo[]>();

  for (const spec of specs) {
    const t = spec.target;
    if (t.kind === 'kernel') {
      if (t.symbol !== null && facts) {
        const kind = spec.kind === 'kretprobe' ? 'kretprobe' : 'kprobe';
        const pf = preflightKernelFunction(
          t.module ? `${t.module}:${t.symbol}` : t.symbol,
          facts,
          kind,
        );
        notes.push(...pf.notes);
      } else if (!features.kprobes && facts) {
        preflightKernelFunction(`0x${(t.address ?? 0n).toString(16)}`, facts, 'kprobe');
      }
    } else if (t.kind === 'user') {
      if (!features.uprobes) {
        throw new UnsupportedError(
          'uprobes',
          'uprobes are not available: this kernel has no uprobe_events in tracefs',
          {
            hint: 'the kernel needs CONFIG_UPROBE_EVENTS',
          },
        );
      }
      const r = await resolveUprobeTarget(t.path, t.symbol, t.offset, { pid: options.pid });
      // The planner adds the spec's +OFFS to the symbol's own file offset.
      const symbolOffset = t.symbol === null ? r.fileOffset : r.fileOffset - t.offset;
      users.set(userKey(t.path, t.symbol), { path: r.path, offset: symbolOffset });
    } else {
      const fieldNames = (spec.args ?? []).flatMap((a) =>
        a.expr.kind === 'param' ? [a.expr.name] : [],
      );
      const tp = await preflightTracepoint(t.group, t.event, fieldNames, root);
      tpFields.set(
        `${t.group}/${t.event}`,
        tp.fields.map((f) => ({
          name: f.name,
          size: f.size,
          signed: f.signed,
          isString: /\bchar\b.*\[/.test(f.type) || f.type.startsWith('__data_loc char'),
          narrowSize: narrowInteger(f.type, f.size)?.size,
        })),
      );
    }
  }

  const result = plan(specs, {
    arch,
    features: planFeatures(features),
    group: options.name ?? newRunName(),
    resolveUser: (path, symbol) => users.get(userKey(path, symbol)) ?? null,
    tracepointFields: (group, event) => tpFields.get(`${group}/${event}`) ?? null,
    // Prototypes, member paths and syscall-wrapper arguments from BTF, when the kernel has it.
    ...(await kernelPlanHooks(specs, { arch, tracefs: root })),
  });
  return { root, mounted: loc.mounted, features, specs, plan: result, arch, notes };
}

function userKey(path: string, symbol: string | null): string {
  return `${path}\0${symbol ?? ''}`;
}
