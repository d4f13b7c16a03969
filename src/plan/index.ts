/** The planner's public surface. */
export { FULL_FEATURES } from './features.js';
export { planToJSON, probeToJSON, stringifyPlanData } from './json.js';
export { validateGroupName } from './naming.js';
export { plan } from './plan.js';
export type * from './types.js';
