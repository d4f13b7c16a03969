/** Kernel object names: `probekit_…`, at most 15 characters plus the NUL, [A-Za-z0-9_.] only. */
import { BPF_OBJ_NAME_LEN } from './sys/numbers.js';

export const NAME_PREFIX = 'probekit_';

/** `probekit_<suffix>` cut to the kernel's limit, with unusable characters replaced by `_`. */
export function objectName(suffix: string): string {
  const clean = suffix.replace(/[^A-Za-z0-9_.]/g, '_');
  const full = clean.startsWith(NAME_PREFIX) ? clean : NAME_PREFIX + clean;
  return full.slice(0, BPF_OBJ_NAME_LEN - 1);
}
