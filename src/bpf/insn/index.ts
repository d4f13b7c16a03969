export * from './builder.js';
export { bytesToSlots, decode, decodeOne } from './decode.js';
export { disasm, disasmInsn, insnAtSlot } from './disasm.js';
export { assemble, encode, slotCount, slotsToBytes } from './encode.js';
export { Helper, type HelperName, helperName } from './helpers.js';
export * from './opcodes.js';
export type * from './types.js';
