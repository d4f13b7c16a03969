/** Facts about the running kernel: public API of src/kernel. */
export {
  type BlacklistEntry,
  type BlacklistResult,
  baseSymbol,
  type KprobeBlacklist,
  loadKprobeBlacklist,
  parseKprobeBlacklist,
} from './blacklist.js';
export { configEnabled, type KernelConfig, parseKernelConfig, readKernelConfig } from './config.js';
export { type PreflightCode, PreflightError } from './errors.js';
export { type GatheredFacts, type GatherOptions, gatherFunctionFacts } from './facts.js';
export {
  type BpfFacts,
  bpfFacts,
  detectFeatures,
  featuresFromReadme,
  type KernelFeatures,
  planFeatures,
  type SystemFeatures,
  TRACEFS_FEATURE_FILES,
  type TracefsFeatures,
} from './features.js';
export { isTextSymbol, Kallsyms, type KallsymsEntry, loadKallsyms } from './kallsyms.js';
export { KPROBE_ALTERNATIVES, kprobesMissingReason } from './missing.js';
export { type MountEntry, mountsOfType, parseMounts } from './mounts.js';
export { KERNEL_PATHS } from './paths.js';
export {
  cloneNames,
  type FunctionFacts,
  type FunctionPreflight,
  type FunctionProbeKind,
  preflightKernelFunction,
  syscallAlternatives,
} from './preflight.js';
export { preflightTracepoint, type TracepointPreflight } from './preflight-tracepoint.js';
export { CAPABILITY_BITS, type Privileges, privilegesFromStatus } from './privileges.js';
export { README_FEATURES, type ReadmeFeature, readmeHas } from './readme-features.js';
export { hostArchName, SYSCALL_WRAPPER_PREFIX, syscallNamesFor } from './syscalls.js';
export {
  loadTraceableFunctions,
  parseAvailableFilterFunctions,
  type TraceableFunctions,
  traceableFromKallsyms,
} from './traceable.js';
export {
  type FsLocation,
  findDebugfs,
  findTracefs,
  type LocateOptions,
  locateDebugfs,
  locateTracefs,
} from './tracefs-mount.js';
export {
  listTracepointEvents,
  listTracepointGroups,
  parseFormatFields,
  readTracepointFields,
  type TracepointField,
} from './tracepoints.js';
