/**
 * What the running kernel supports for probekit. Tracing features come from
 * tracefs README strings and which tracefs files exist; system facts (BTF,
 * PMUs, BPF, privileges) from /sys and /proc files. The kernel version is
 * read only to decorate messages.
 */
import { access, readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { PlanFeatures } from '../plan/types.js';
import { configEnabled, type KernelConfig, readKernelConfig } from './config.js';
import { kprobesMissingReason } from './missing.js';
import { KERNEL_PATHS } from './paths.js';
import { type Privileges, privilegesFromStatus } from './privileges.js';
import { readmeHas } from './readme-features.js';

/** tracefs files and directories whose presence is a feature (paths relative to the tracefs root). */
export const TRACEFS_FEATURE_FILES = [
  'README',
  'kprobe_events',
  'uprobe_events',
  'dynamic_events',
  'events',
  'events/syscalls',
  'instances',
  'error_log',
  'available_filter_functions',
  'available_filter_functions_addrs',
] as const;

/** Features visible in tracefs itself. */
export interface TracefsFeatures extends PlanFeatures {
  readonly kprobes: boolean;
  readonly kretprobes: boolean;
  readonly uprobes: boolean;
  readonly uretprobes: boolean;
  readonly tracepoints: boolean;
  readonly syscallTracepoints: boolean;
  readonly instances: boolean;
  readonly errorLog: boolean;
  readonly fprobe: boolean;
  readonly tprobe: boolean;
  /** From README; may be advertised without support: `detectFeatures` refines it with the config. */
  readonly eprobe: boolean;
  readonly percentPd: boolean;
  readonly refCtrOffset: boolean;
  readonly immediateStrings: boolean;
  readonly availableFilterFunctions: boolean;
}

export interface BpfFacts {
  /** The bpf() syscall exists in this kernel (not called: inferred from sysctl files and config). */
  readonly syscall: boolean;
  /** `unprivileged_bpf_disabled`: 0 allowed, 1 disabled until reboot, 2 disabled (admin may change); null if unknown. */
  readonly unprivilegedDisabled: number | null;
  /** We could load programs: the syscall exists and we are privileged (CAP_BPF or CAP_SYS_ADMIN) or unprivileged use is allowed. */
  readonly usable: boolean;
  /** How we know, for doctor. */
  readonly evidence: string;
}

/** Facts from outside tracefs. */
export interface SystemFeatures {
  /** `/sys/kernel/btf/vmlinux` exists. */
  readonly btf: boolean;
  /** PMU type numbers for perf_event_open, or null when the PMU is missing. */
  readonly kprobePmu: number | null;
  readonly uprobePmu: number | null;
  readonly bpf: BpfFacts;
  readonly privileges: Privileges;
  /** `/proc/sys/kernel/osrelease`, for messages only. */
  readonly release: string;
  /** Where the kernel config was read from, or null when it is not published. */
  readonly configSource: string | null;
  /** Why kprobes are missing (see `kprobesMissingReason`), or null when they are there. */
  readonly kprobesMissing: string | null;
}

export interface KernelFeatures extends TracefsFeatures, SystemFeatures {
  /** The tracefs root these were read from. */
  readonly tracefs: string;
  /**
   * False when tracefs could not be listed (it is root-only): then every
   * tracefs feature reads false because it could not be seen, not because the
   * kernel lacks it.
   */
  readonly tracefsReadable: boolean;
}

/** Pure: tracefs features from the README text and the set of tracefs paths that exist. */
export function featuresFromReadme(readme: string, files: ReadonlySet<string>): TracefsFeatures {
  const kprobes = files.has('kprobe_events');
  const uprobes = files.has('uprobe_events');
  const dynamicEvents = files.has('dynamic_events');
  return {
    argN: readmeHas(readme, 'argN'),
    argNAtReturn: readmeHas(readme, 'argNAtReturn'),
    ustring: readmeHas(readme, 'ustring'),
    userDeref: readmeHas(readme, 'userDeref'),
    char: readmeHas(readme, 'char'),
    symstr: readmeHas(readme, 'symstr'),
    btfArgs: readmeHas(readme, 'btfArgs'),
    dynamicEvents,
    kprobeEvents: kprobes,
    uprobeEvents: uprobes,
    returnSuffix: readmeHas(readme, 'returnSuffix'),
    immediates: readmeHas(readme, 'immediates'),
    kprobes,
    // Return probes come with kprobes on every arch with kprobe events; README shows `r[maxactive]`.
    kretprobes: kprobes && readmeHas(readme, 'maxactive'),
    uprobes,
    uretprobes: uprobes,
    tracepoints: files.has('events'),
    syscallTracepoints: files.has('events/syscalls'),
    instances: files.has('instances'),
    errorLog: files.has('error_log'),
    fprobe: dynamicEvents && readmeHas(readme, 'fprobe'),
    tprobe: dynamicEvents && readmeHas(readme, 'tprobe'),
    eprobe: dynamicEvents && readmeHas(readme, 'eprobe'),
    percentPd: readmeHas(readme, 'percentPd'),
    refCtrOffset: readmeHas(readme, 'refCtrOffset'),
    immediateStrings: readmeHas(readme, 'immediateStrings'),
    availableFilterFunctions: files.has('available_filter_functions'),
  };
}

/** Picks exactly the PlanFeatures fields, for the planner. */
export function planFeatures(f: PlanFeatures): PlanFeatures {
  return {
    argN: f.argN,
    argNAtReturn: f.argNAtReturn,
    ustring: f.ustring,
    userDeref: f.userDeref,
    char: f.char,
    symstr: f.symstr,
    btfArgs: f.btfArgs,
    dynamicEvents: f.dynamicEvents,
    kprobeEvents: f.kprobeEvents,
    uprobeEvents: f.uprobeEvents,
    returnSuffix: f.returnSuffix,
    immediates: f.immediates,
  };
}

/** Pure: BPF availability from what the files said. */
export function bpfFacts(input: {
  readonly unprivilegedBpfDisabled: string | null;
  readonly config: KernelConfig | null;
  readonly privileges: Privileges;
}): BpfFacts {
  const sysctl = input.unprivilegedBpfDisabled?.trim();
  const unprivilegedDisabled = sysctl !== undefined && /^\d+$/.test(sysctl) ? Number(sysctl) : null;
  const fromConfig = configEnabled(input.config, 'CONFIG_BPF_SYSCALL');
  // The sysctl is registered only by kernels built with CONFIG_BPF_SYSCALL.
  const syscall = fromConfig ?? unprivilegedDisabled !== null;
  const evidence =
    fromConfig !== null
      ? `CONFIG_BPF_SYSCALL ${fromConfig ? 'is set' : 'is not set'} in ${input.config?.source}`
      : unprivilegedDisabled !== null
        ? `${KERNEL_PATHS.unprivilegedBpfDisabled} exists`
        : `no ${KERNEL_PATHS.unprivilegedBpfDisabled} and no readable kernel config`;
  const privileged = input.privileges.bpf || input.privileges.sysAdmin;
  return {
    syscall,
    unprivilegedDisabled,
    usable: syscall && (privileged || unprivilegedDisabled === 0),
    evidence,
  };
}

async function exists(p: string): Promise<boolean> {
  try {
    await access(p);
    return true;
  } catch {
    return false;
  }
}

async function readOrNull(p: string): Promise<string | null> {
  try {
    return await readFile(p, 'utf8');
  } catch {
    return null;
  }
}

async function pmuType(p: string): Promise<number | null> {
  const t = (await readOrNull(p))?.trim();
  return t !== undefined && /^\d+$/.test(t) ? Number(t) : null;
}

/** Reads every feature of the running kernel. `tracefsRoot` comes from `findTracefs()`. */
export async function detectFeatures(tracefsRoot: string): Promise<KernelFeatures> {
  const present = await Promise.all(TRACEFS_FEATURE_FILES.map((f) => exists(join(tracefsRoot, f))));
  const files = new Set<string>(TRACEFS_FEATURE_FILES.filter((_f, i) => present[i]));
  const readme = (await readOrNull(join(tracefsRoot, 'README'))) ?? '';
  const tracefsReadable = await readdir(tracefsRoot).then(
    () => true,
    () => false,
  );
  const tracefs = featuresFromReadme(readme, files);
  const release = ((await readOrNull(KERNEL_PATHS.osrelease)) ?? '').trim() || 'unknown';
  const [config, status, unprivileged, btf, kprobePmu, uprobePmu] = await Promise.all([
    readKernelConfig(release),
    readOrNull(KERNEL_PATHS.status),
    readOrNull(KERNEL_PATHS.unprivilegedBpfDisabled),
    exists(KERNEL_PATHS.btfVmlinux),
    pmuType(KERNEL_PATHS.kprobePmuType),
    pmuType(KERNEL_PATHS.uprobePmuType),
  ]);
  const privileges = privilegesFromStatus(status ?? '');
  // README prints the eprobe syntax even when EPROBE_EVENTS is off; believe the config when there is one.
  const eprobeConfig = configEnabled(config, 'CONFIG_EPROBE_EVENTS');
  return {
    ...tracefs,
    eprobe: tracefs.eprobe && eprobeConfig !== false,
    btf,
    kprobePmu,
    uprobePmu,
    bpf: bpfFacts({ unprivilegedBpfDisabled: unprivileged, config, privileges }),
    privileges,
    release,
    configSource: config?.source ?? null,
    kprobesMissing: tracefs.kprobes
      ? null
      : tracefsReadable
        ? kprobesMissingReason(config)
        : `cannot tell: ${tracefsRoot} is not readable (uid ${privileges.euid ?? '?'}; run as root)`,
    tracefs: tracefsRoot,
    tracefsReadable,
  };
}
