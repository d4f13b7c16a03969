/** probekit's public library API. This file only wires; the code lives in the folders. */

export * from './analysis/index.js';
export * from './api/aggregate/index.js';
export { type Prepared, type PrepareOptions, prepare } from './api/prepare.js';
export {
  type BtfPlanHooks,
  btfPlanHooks,
  kernelPlanHooks,
  renderKernelPrototype,
  syscallArgsFor,
} from './api/prototypes.js';
export { type TraceItem, type TraceOptions, TraceSession, trace } from './api/trace.js';
export {
  ARCH_NAMES,
  ARCHES,
  argLocation,
  checkRegister,
  describeRegister,
  getArch,
  hostArch,
  resolveArch,
} from './arch/index.js';
export type * from './arch/types.js';
export * from './btf/index.js';
export * from './elf/index.js';
export * from './errors.js';
export * from './kernel/index.js';
export { ERRNO_NAMES, errnoName, MAX_ERRNO } from './output/errno.js';
export type { LabelledEvent } from './output/format-event.js';
export { jsonValue, textValue } from './output/values.js';
export { FULL_FEATURES, plan, planToJSON, probeToJSON, validateGroupName } from './plan/index.js';
export type * from './plan/types.js';
export * from './spec/index.js';
export type * from './spec/types.js';
export * from './stream/index.js';
export type { CloseReport } from './tracefs/session.js';
export type { SweepReport } from './tracefs/sweep.js';
export { sweepStale } from './tracefs/sweep.js';
