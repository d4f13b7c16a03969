/** Near-name suggestions ("did you mean") and shell globs, shared by preflight, ELF, BTF and list. */

/** Edit distance, giving up (returning max + 1) once it cannot be at most `max`. */
export function editDistance(a: string, b: string, max: number): number {
  if (Math.abs(a.length - b.length) > max) return max + 1;
  let prev = Array.from({ length: b.length + 1 }, (_v, i) => i);
  for (let i = 1; i <= a.length; i++) {
    const cur = [i];
    let rowMin = i;
    for (let j = 1; j <= b.length; j++) {
      const cost = a.charCodeAt(i - 1) === b.charCodeAt(j - 1) ? 0 : 1;
      const v = Math.min(
        (prev[j] as number) + 1,
        (cur[j - 1] as number) + 1,
        (prev[j - 1] as number) + cost,
      );
      cur.push(v);
      if (v < rowMin) rowMin = v;
    }
    if (rowMin > max) return max + 1;
    prev = cur;
  }
  return prev[b.length] as number;
}

/**
 * Up to `limit` names close to `wanted`: by edit distance (at most a third of
 * the length, capped at 3; a name that extends `wanted` counts as 1), then
 * names sharing most of its prefix. Only names within one step of the best
 * are kept, so a near-perfect match does not come with distant noise.
 */
export function nearNames(wanted: string, candidates: Iterable<string>, limit = 5): string[] {
  const max = Math.min(3, Math.max(1, Math.floor(wanted.length / 3)));
  const scored: { name: string; score: number }[] = [];
  const prefix = wanted.slice(0, Math.max(4, Math.ceil(wanted.length * 0.6)));
  for (const name of candidates) {
    if (name === wanted) continue;
    let d = editDistance(wanted, name, max);
    if (wanted.length >= 4 && name.startsWith(wanted)) d = Math.min(d, 1);
    if (d <= max) scored.push({ name, score: d });
    else if (wanted.length >= 4 && name.startsWith(prefix)) scored.push({ name, score: max + 1 });
  }
  scored.sort(
    (x, y) => x.score - y.score || x.name.length - y.name.length || (x.name < y.name ? -1 : 1),
  );
  const best = scored[0]?.score ?? 0;
  return scored
    .filter((s) => s.score <= best + 1)
    .slice(0, limit)
    .map((s) => s.name);
}

/** A shell-style glob (`*`, `?`, `[...]`) as an anchored regular expression. */
export function globToRegExp(glob: string): RegExp {
  let re = '';
  for (let i = 0; i < glob.length; i++) {
    const c = glob[i] as string;
    if (c === '*') re += '.*';
    else if (c === '?') re += '.';
    else if (c === '[') {
      const close = glob.indexOf(']', i + 1);
      if (close < 0) re += '\\[';
      else {
        const body = glob.slice(i + 1, close).replace(/\\/g, '\\\\');
        re += `[${body.startsWith('!') ? `^${body.slice(1)}` : body}]`;
        i = close;
      }
    } else re += c.replace(/[.+^${}()|\\]/g, '\\$&');
  }
  return new RegExp(`^${re}$`);
}

export function isGlob(s: string): boolean {
  return /[*?[]/.test(s);
}
