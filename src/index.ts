/** probekit's public library API. This file only wires; the code lives in the folders. */
export * from './errors.js';
export type * from './arch/types.js';
export type * from './spec/types.js';
export type * from './plan/types.js';
