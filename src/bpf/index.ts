/** The BPF backend: instructions, syscalls, programs, maps, attach, buffers and generated programs. */
export {
  Attachment,
  type AttachTarget,
  attach,
  describe as describeTarget,
  progTypeFor,
} from './attach.js';
export * from './codec.js';
export { FEATURES, type FeatureName, hasFeature, requireFeature } from './features.js';
export {
  type CtxScalar,
  formatField,
  ptRegsArg,
  ptRegsReg,
  tracepointField,
  X86_64_ARG_REGS,
  X86_64_PT_REGS,
} from './gen/context.js';
export { type CountKey, countProgram } from './gen/count.js';
export { bucketOf, bucketRange, histProgram, LOG2_BUCKETS, log2Bucket } from './gen/hist.js';
export {
  type BpfRecord,
  decodeRecord,
  perfRecordProgram,
  recordProgram,
  recordSize,
} from './gen/record.js';
export {
  type Counter,
  type Histogram,
  type Log2Bucket,
  type RecordStream,
  startCounter,
  startLog2Hist,
  startRecordStream,
} from './gen/run.js';
export * as insn from './insn/index.js';
export { BpfMap, createMap, type MapSpec, sum } from './map.js';
export { NAME_PREFIX, objectName } from './names.js';
export { Owner } from './owner.js';
export { createPerfBuffer, PerfBuffer, type PerfItem } from './perfbuf.js';
export {
  failingSlot,
  type LoadOptions,
  loadProgram,
  Program,
  type ProgramSpec,
  VerifierError,
} from './prog.js';
export { createRingBuffer, RingBuffer } from './ringbuf.js';
export { createStackMap, readStack, type StackMap, stackCodec, stackDepth } from './stack.js';
