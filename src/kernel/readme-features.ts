/**
 * Substrings of tracefs `README` that announce a feature (kernel-interfaces.md
 * §1.9; perf's probe-file.c reads the same file the same way). Detection is by
 * these strings and by which files exist, never by the kernel version.
 */
export const README_FEATURES = {
  /** `$argN` fetchargs. */
  argN: '$arg<N>',
  /** `$argN` inside return probes (entry arguments saved). */
  argNAtReturn: 'kernel return probes support: $retval, $arg<N>',
  ustring: 'ustring',
  /** `+u` user-memory dereference. */
  userDeref: '+|-[u]<offset>',
  char: 'char,',
  symstr: 'symstr',
  /** BTF argument names in probe definitions. */
  btfArgs: '<argname>',
  /** `SYM%return` form of a return probe. */
  returnSuffix: '%return',
  immediates: '\\imm-value',
  immediateStrings: '\\"imm-string"',
  /** `%pd` / `%pD` dentry and file name types. */
  percentPd: '%pd/%pD',
  /** USDT semaphore offset on uprobes. */
  refCtrOffset: 'ref_ctr_offset',
  /** Return probes with MAXACTIVE (`r[maxactive]`). */
  maxactive: 'r[maxactive]',
  fprobe: 'f[:[',
  tprobe: 't[:[',
  /** Printed unconditionally by some kernels (seen on 6.18 without EPROBE_EVENTS): confirm with the config. */
  eprobe: 'e[:[',
} as const satisfies Record<string, string>;

export type ReadmeFeature = keyof typeof README_FEATURES;

export function readmeHas(readme: string, feature: ReadmeFeature): boolean {
  return readme.includes(README_FEATURES[feature]);
}
