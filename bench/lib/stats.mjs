// Medians and the printed tables.

export function median(xs) {
  const v = xs.filter((x) => typeof x === 'number' && Number.isFinite(x)).sort((a, b) => a - b);
  if (v.length === 0) return null;
  const m = v.length >> 1;
  return v.length % 2 ? v[m] : (v[m - 1] + v[m]) / 2;
}

export function fmt(x, digits = 2) {
  if (x === null || x === undefined) return '-';
  if (typeof x === 'string') return x;
  return Number.isInteger(x) && digits === 0 ? String(x) : x.toFixed(digits);
}

/** A plain-text table, also valid Markdown. */
export function table(head, rows) {
  const cells = [head, ...rows].map((r) => r.map((c) => String(c)));
  const w = head.map((_, i) => Math.max(...cells.map((r) => r[i].length)));
  const line = (r) =>
    `| ${r.map((c, i) => (i === 0 ? c.padEnd(w[i]) : c.padStart(w[i]))).join(' | ')} |`;
  return [
    line(cells[0]),
    `|${w.map((n, i) => (i === 0 ? `-${'-'.repeat(n)}-` : `-${'-'.repeat(n)}:`)).join('|')}|`,
    ...cells.slice(1).map(line),
  ].join('\n');
}

/** Ratio a/b, or null. */
export function ratio(a, b) {
  return a === null || b === null || b === 0 ? null : a / b;
}
