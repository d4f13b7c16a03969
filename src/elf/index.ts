/** ELF reading for uprobes: symbols, segments, file offsets, libraries by short name. */
export { ELF_ERROR_CODES, type ElfErrorCode } from './errors.js';
export { ElfFile, parseElf, readElfFile } from './file.js';
export { type LdCacheEntry, parseLdCache } from './ldcache.js';
export {
  checkElfPath,
  matchesLibraryName,
  type ResolveLibraryOptions,
  resolveLibrary,
} from './library.js';
export { listUserFunctions, type UserFunction, userFunctions } from './list.js';
export { fileOffsetToVaddr, symbolFileOffset } from './offset.js';
export {
  parseSymbolQuery,
  type ResolvedUserSymbol,
  resolveUserSymbol,
  type SymbolQuery,
} from './resolve-symbol.js';
export {
  functionAt,
  type ResolveTargetOptions,
  resolveUprobeTarget,
  type UprobeTarget,
  userResolver,
} from './target.js';
export type * from './types.js';
