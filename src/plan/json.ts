/** Plans as plain JSON data: bigints become strings, the spec is shown by its text. */
import type { PlannedProbe, ProbePlan } from './types.js';

export function probeToJSON(p: PlannedProbe): Record<string, unknown> {
  return {
    spec: p.spec.text,
    kind: p.kind,
    group: p.group,
    event: p.event,
    definition: p.definition,
    file: p.file,
    removal: p.removal,
    args: p.args,
    filter: p.filter,
    files: p.files,
    notes: p.notes,
  };
}

export function planToJSON(plan: ProbePlan): Record<string, unknown> {
  return {
    arch: plan.arch,
    group: plan.group,
    probes: plan.probes.map(probeToJSON),
    files: plan.files,
  };
}

/** JSON.stringify that writes bigints as decimal strings. */
export function stringifyPlanData(value: unknown): string {
  return JSON.stringify(value, (_k, v) => (typeof v === 'bigint' ? v.toString() : v), 2);
}
