/** Feature sets the planner may assume. */
import type { PlanFeatures } from './types.js';

/**
 * Everything on except BTF argument names: what `probekit explain` plans with, so
 * it shows the register-level lines that work on any kernel with these features.
 */
export const FULL_FEATURES: PlanFeatures = {
  argN: true,
  argNAtReturn: true,
  ustring: true,
  userDeref: true,
  char: true,
  symstr: true,
  btfArgs: false,
  dynamicEvents: true,
  kprobeEvents: true,
  uprobeEvents: true,
  returnSuffix: true,
  immediates: true,
};
