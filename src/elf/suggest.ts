/** "Did you mean" for symbol names: prefix and substring matches first, then small edit distances. */

/** Levenshtein distance, giving up (returning limit+1) once it must exceed `limit`. */
export function editDistance(a: string, b: string, limit: number): number {
  if (Math.abs(a.length - b.length) > limit) return limit + 1;
  let prev = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const cur = [i];
    let best = i;
    for (let j = 1; j <= b.length; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      const v = Math.min(prev[j]! + 1, cur[j - 1]! + 1, prev[j - 1]! + cost);
      cur.push(v);
      if (v < best) best = v;
    }
    if (best > limit) return limit + 1;
    prev = cur;
  }
  return prev[b.length]!;
}

/** Up to `max` names close to `wanted`, best first. */
export function nearNames(wanted: string, names: Iterable<string>, max = 5): string[] {
  const limit = Math.max(2, Math.floor(wanted.length / 3));
  const lower = wanted.toLowerCase();
  const scored: { name: string; score: number }[] = [];
  for (const name of new Set(names)) {
    if (name === wanted || name === '') continue;
    const l = name.toLowerCase();
    let score: number;
    if (l === lower) score = 0;
    else if (l.startsWith(lower) || lower.startsWith(l))
      score = 1 + Math.abs(name.length - wanted.length) / 1000;
    else {
      const d = editDistance(lower, l, limit);
      if (d <= limit) score = 2 + d;
      else if (lower.length >= 3 && l.includes(lower)) score = 3 + limit + name.length / 1000;
      else continue;
    }
    scored.push({ name, score });
  }
  scored.sort(
    (x, y) => x.score - y.score || x.name.length - y.name.length || (x.name < y.name ? -1 : 1),
  );
  return scored.slice(0, max).map((s) => s.name);
}
