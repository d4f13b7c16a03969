/** Small builders for the register tables: numbered register runs and name maps. */

/** `seq('x', 0, 3)` → `['x0', 'x1', 'x2', 'x3']`. */
export function seq(prefix: string, from: number, to: number): string[] {
  const out: string[] = [];
  for (let i = from; i <= to; i++) out.push(`${prefix}${i}`);
  return out;
}

/** Maps `names[i]` → `targets[i]` (two lists of the same length). */
export function zip(names: readonly string[], targets: readonly string[]): Record<string, string> {
  const out: Record<string, string> = {};
  names.forEach((n, i) => {
    const t = targets[i];
    if (t !== undefined) out[n] = t;
  });
  return out;
}

/** `{ x0: 'regs[0]', ... }`: numbered registers → an indexed pt_regs array member. */
export function indexed(
  prefix: string,
  from: number,
  to: number,
  member: string,
): Record<string, string> {
  const out: Record<string, string> = {};
  for (let i = from; i <= to; i++) out[`${prefix}${i}`] = `${member}[${i}]`;
  return out;
}

/** Identity map for names whose pt_regs member has the same name. */
export function same(names: readonly string[]): Record<string, string> {
  return zip(names, names);
}

/**
 * Collapses numbered runs for messages: `r0 r1 … r31 nip` → `r0..r31 nip`.
 */
export function compactRegisterList(names: readonly string[]): string {
  const out: string[] = [];
  let i = 0;
  while (i < names.length) {
    const m = /^([a-z_]*?)(\d+)$/i.exec(names[i] ?? '');
    if (!m) {
      out.push(names[i] ?? '');
      i++;
      continue;
    }
    const prefix = m[1] ?? '';
    const start = Number(m[2]);
    let j = i + 1;
    let last = start;
    for (; j < names.length; j++) {
      const n = /^([a-z_]*?)(\d+)$/i.exec(names[j] ?? '');
      if (!n || n[1] !== prefix || Number(n[2]) !== last + 1) break;
      last += 1;
    }
    out.push(j - i > 2 ? `${prefix}${start}..${prefix}${last}` : names.slice(i, j).join(' '));
    i = j;
  }
  return out.join(' ');
}

/**
 * Stack slots for arguments past the registers, read through `$stackN`
 * (`regs_get_kernel_stack_nth`, one `unsigned long` per slot above the SP at entry).
 * `firstStackArg` is the 1-based argument found in slot `firstSlot`.
 */
export function stackSlots(
  arch: string,
  firstStackArg: number,
  firstSlot: number,
): (n: number) => { fetch: string; note: string } {
  return (n) => {
    const fetch = `$stack${n - firstStackArg + firstSlot}`;
    return { fetch, note: stackNote(arch, n, fetch) };
  };
}

export function stackNote(arch: string, n: number, fetch: string): string {
  return `more arguments than ${arch} passes in registers: argument ${n} is read from the stack at entry as ${fetch}`;
}
