/** Gathers what preflight needs from the running kernel, reading each source once. */
import type { ArchName } from '../arch/types.js';
import { isProbekitError } from '../errors.js';
import { type BlacklistResult, loadKprobeBlacklist } from './blacklist.js';
import { detectFeatures, type KernelFeatures } from './features.js';
import { loadKallsyms } from './kallsyms.js';
import type { FunctionFacts } from './preflight.js';
import { hostArchName } from './syscalls.js';
import { loadTraceableFunctions } from './traceable.js';
import { locateDebugfs } from './tracefs-mount.js';
import { listTracepointEvents } from './tracepoints.js';

export interface GatherOptions {
  /** Features already detected for this tracefs root. */
  readonly features?: KernelFeatures;
  /** Mount debugfs for the blacklist when it is not mounted (root only). Default false. */
  readonly mountDebugfs?: boolean;
  /** Architecture for syscall wrapper names (a name or an ArchInfo); defaults to this machine's. */
  readonly arch?: ArchName | { readonly name: ArchName } | null;
  /** kallsyms path, for tests. */
  readonly kallsymsPath?: string;
}

export interface GatheredFacts extends FunctionFacts {
  readonly features: KernelFeatures;
  /** True when debugfs was mounted for the blacklist. */
  readonly mountedDebugfs: boolean;
}

/** Reads the kprobe blacklist when kprobes exist (debugfs is not needed otherwise). */
async function blacklistFor(
  features: KernelFeatures,
  mount: boolean,
): Promise<{ result: BlacklistResult; mounted: boolean }> {
  if (!features.kprobes)
    return { result: { ok: false, reason: 'no kprobes in this kernel' }, mounted: false };
  try {
    const loc = await locateDebugfs({ mount });
    return { result: await loadKprobeBlacklist(loc.path), mounted: loc.mounted };
  } catch (e) {
    if (!isProbekitError(e)) throw e;
    return {
      result: { ok: false, reason: `${e.message}${e.hint ? ` (${e.hint})` : ''}` },
      mounted: false,
    };
  }
}

export async function gatherFunctionFacts(
  tracefsRoot: string,
  opts: GatherOptions = {},
): Promise<GatheredFacts> {
  const features = opts.features ?? (await detectFeatures(tracefsRoot));
  const kallsyms = await loadKallsyms(opts.kallsymsPath);
  const [traceable, blacklist, syscallEvents] = await Promise.all([
    loadTraceableFunctions(tracefsRoot, kallsyms),
    blacklistFor(features, opts.mountDebugfs ?? false),
    listTracepointEvents(tracefsRoot, 'syscalls'),
  ]);
  return {
    features,
    kallsyms,
    traceable,
    blacklist: blacklist.result,
    mountedDebugfs: blacklist.mounted,
    arch:
      opts.arch === undefined
        ? hostArchName()
        : typeof opts.arch === 'object' && opts.arch !== null
          ? opts.arch.name
          : opts.arch,
    syscallEvents: new Set(syscallEvents ?? []),
  };
}
