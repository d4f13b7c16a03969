/** `saved_cmdlines` (`pid comm`) and `saved_tgids` (`pid tgid`): names for binary records, which carry only a pid. */

export function parseSavedCmdlines(text: string): Map<number, string> {
  const out = new Map<number, string>();
  for (const line of String(text).split('\n')) {
    const m = /^(\d+) (.*)$/.exec(line);
    if (m) out.set(Number(m[1]), m[2] ?? '');
  }
  return out;
}

export function parseSavedTgids(text: string): Map<number, number> {
  const out = new Map<number, number>();
  for (const line of String(text).split('\n')) {
    const m = /^(\d+) (\d+)\s*$/.exec(line);
    if (m) out.set(Number(m[1]), Number(m[2]));
  }
  return out;
}
