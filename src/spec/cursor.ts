/** A position in the line being parsed, bounded to a slice of it. */
import type { SpecError } from '../errors.js';
import { type SpecErrorCode, specError } from './codes.js';
import { isWs } from './lexical.js';

export class Cursor {
  pos: number;

  /** Reads `src` from `start` up to (not including) `end`. Columns stay relative to `src`. */
  constructor(
    readonly src: string,
    start = 0,
    readonly end = src.length,
  ) {
    this.pos = start;
  }

  atEnd(): boolean {
    return this.pos >= this.end;
  }

  /** The character `k` places ahead, or '' past the end. */
  peek(k = 0): string {
    const i = this.pos + k;
    return i < this.end ? (this.src[i] ?? '') : '';
  }

  startsWith(s: string): boolean {
    return this.pos + s.length <= this.end && this.src.startsWith(s, this.pos);
  }

  /** Consumes `s` when it comes next. */
  eat(s: string): boolean {
    if (!this.startsWith(s)) return false;
    this.pos += s.length;
    return true;
  }

  skipWs(): void {
    while (this.pos < this.end && isWs(this.src[this.pos])) this.pos++;
  }

  /** Consumes characters while `pred` holds and returns them. */
  take(pred: (c: string) => boolean): string {
    const start = this.pos;
    while (this.pos < this.end && pred(this.src[this.pos] ?? '')) this.pos++;
    return this.src.slice(start, this.pos);
  }

  /** The rest of the current whitespace-free run, for messages. */
  word(from = this.pos): string {
    let i = from;
    while (i < this.end && !isWs(this.src[i])) i++;
    return this.src.slice(from, i);
  }

  error(
    code: SpecErrorCode,
    message: string,
    column: number,
    length: number,
    hint: string,
  ): SpecError {
    return specError(code, message, this.src, column, length, hint);
  }
}

/**
 * Positions a cursor on `text`, which sits at `offset` in `whole`. When the
 * caller's `whole` does not contain `text` there, parses `text` on its own.
 */
export function cursorFor(text: string, offset: number, whole: string | undefined): Cursor {
  if (whole !== undefined && offset >= 0 && whole.startsWith(text, offset)) {
    return new Cursor(whole, offset, offset + text.length);
  }
  return new Cursor(text, 0, text.length);
}
