/** Whitespace tokens of a raw kernel line, as tracefs splits it. */
import { isWs } from './lexical.js';

export interface Token {
  readonly text: string;
  readonly start: number;
}

/** Splits on whitespace, as tracefs does, keeping columns. */
export function tokenize(src: string): Token[] {
  const out: Token[] = [];
  let i = 0;
  while (i < src.length) {
    while (i < src.length && isWs(src[i])) i++;
    if (i >= src.length) break;
    const start = i;
    while (i < src.length && !isWs(src[i])) i++;
    out.push({ text: src.slice(start, i), start });
  }
  return out;
}

/** Whether a first token reads as a raw header: `p`, `r`, `rN`, each optionally followed by `:...`. */
export function isRawHeader(tok: string): boolean {
  return /^[pr](?:[0-9][0-9A-Za-z]*)?(?::|$)/.test(tok);
}
