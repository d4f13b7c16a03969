/** Analysis: pairing entry and return events into calls, counting, histograms. */
export { type CountEntry, Counter, countBy } from './counts.js';
export { Log2Histogram, log2Bucket, type RenderOptions, renderLog2 } from './histogram.js';
export {
  type LinearBounds,
  LinearHistogram,
  type LinearRenderOptions,
  renderLinear,
} from './linear.js';
export {
  type Call,
  CallPairer,
  defaultClassify,
  type PairingOptions,
  type PairingStats,
  pairCalls,
  type Side,
} from './pairing.js';
