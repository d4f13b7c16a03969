/** Shared helpers for planner tests: parse with the real parser, plan with full features. */
import type { ArchName } from '../../src/arch/types.js';
import { FULL_FEATURES, plan } from '../../src/plan/index.js';
import type { PlanOptions, ProbePlan } from '../../src/plan/types.js';
import { parseProbe } from '../../src/spec/index.js';

export const GROUP = 'pk_test';

export function planTexts(
  texts: readonly string[],
  arch: ArchName,
  extra: Partial<PlanOptions> = {},
): ProbePlan {
  return plan(
    texts.map((t) => parseProbe(t)),
    { arch, features: FULL_FEATURES, group: GROUP, ...extra },
  );
}

/** The definition lines of a plan. */
export function definitions(
  texts: readonly string[],
  arch: ArchName,
  extra: Partial<PlanOptions> = {},
): (string | null)[] {
  return planTexts(texts, arch, extra).probes.map((p) => p.definition);
}
