/** Near names for "did you mean": prefix and substring matches first, then small edit distances. */

/** Levenshtein distance, giving up (returning limit+1) once it must exceed `limit`. */
export function editDistance(a: string, b: string, limit: number): number {
  if (Math.abs(a.length - b.length) > limit) return limit + 1;
  let prev = Array.from({ length: b.length + 1 }, (_, i) => i);
  for (let i = 1; i <= a.length; i++) {
    const cur = [i];
    let best = i;
    for (let j = 1; j <= b.length; j++) {
      const cost = a.charCodeAt(i - 1) === b.charCodeAt(j - 1) ? 0 : 1;
      const v = Math.min(prev[j]! + 1, cur[j - 1]! + 1, prev[j - 1]! + cost);
      cur.push(v);
      if (v < best) best = v;
    }
    if (best > limit) return limit + 1;
    prev = cur;
  }
  return prev[b.length]!;
}

/** Up to `max` names from `candidates` that look like `query`, best first. */
export function nearNames(query: string, candidates: Iterable<string>, max = 5): string[] {
  const limit = Math.max(1, Math.min(3, Math.floor(query.length / 3)));
  const scored: { name: string; score: number }[] = [];
  for (const name of candidates) {
    if (name === '' || name === query) continue;
    let score: number;
    const d = editDistance(query, name, limit);
    if (d <= limit) score = d;
    else if (query.length >= 3 && name.startsWith(query)) score = 10 + (name.length - query.length);
    else if (query.length >= 4 && name.includes(query)) score = 100 + (name.length - query.length);
    else continue;
    scored.push({ name, score });
  }
  scored.sort((x, y) => x.score - y.score || x.name.localeCompare(y.name));
  return scored.slice(0, max).map((s) => s.name);
}
