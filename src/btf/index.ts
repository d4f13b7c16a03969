/**
 * BTF: a lazy decoder for kernel type information (vmlinux and module split
 * BTF). Most helpers are methods of `Btf` (resolveType, typeName, sizeOf,
 * functionPrototype, renderPrototype, resolveMemberPath).
 */
export { Btf, type ParseBtfOptions, parseBtf } from './btf.js';
export type { BtfErrorCode } from './errors.js';
export type { BtfHeader } from './header.js';
export { BTF_KINDS, type BtfKindName } from './kinds.js';
export {
  KERNEL_BTF_DIR,
  type LoadBtfOptions,
  listModuleBtf,
  loadKernelBtf,
  loadModuleBtf,
} from './load.js';
export type {
  BitfieldAccess,
  MemberAccess,
  MemberPathElement,
  MemberRoot,
  MemberStep,
} from './members.js';
export { prototypeResolver } from './prototype.js';
export { isPtRegsWrapper, ptRegsOffset, ptRegsOffsets, ptRegsTypeId } from './ptregs.js';
export { isUserPointer, type StringKind, stringKind } from './resolve.js';
export type * from './types.js';
