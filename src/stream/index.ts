/** Decoding what tracefs records: format files, trace text, trace_pipe_raw pages, merging. */

export { parseSavedCmdlines, parseSavedTgids } from './cmdlines.js';
export { elementSizeOf } from './ctypes.js';
export {
  type EventFormat,
  type FieldFormat,
  findField,
  parseField,
  parseFormat,
} from './format.js';
export {
  DEFAULT_EVENT_HEADER,
  type EventHeaderLayout,
  type PageLayout,
  parseHeaderEvent,
  parseHeaderPage,
} from './header.js';
export { type MergeOptions, mergeStreams, StreamMerger } from './merge.js';
export { decodePage, type PageContext } from './page.js';
export { RawDecoder, type RawDecoderOptions, type RawDecoderStats } from './raw-reader.js';
export { compileRecordDecoder, type DecodedRecord, type RecordDecoder } from './record.js';
export { FormatRegistry } from './registry.js';
export {
  decodeText,
  decodeTextLine,
  type TextDecodeOptions,
  TextDecoder,
  type TextTraceEvent,
  TraceTextDecoder,
} from './text.js';
export { isIgnorableLine, type LinePrefix, parseLinePrefix, parseLostLine } from './text-line.js';
export { parseProbePrefix, splitPairs, typedValue, untypedValue } from './text-payload.js';
export * from './types.js';
export { intValue, sameValue } from './values.js';
