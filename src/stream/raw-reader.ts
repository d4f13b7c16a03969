/**
 * A stateful decoder for per-CPU `trace_pipe_raw` streams: cuts each CPU's bytes
 * into whole pages (keeping a partial page until the rest arrives), decodes
 * them and counts what it saw.
 */
import type { EventHeaderLayout, PageLayout } from './header.js';
import { decodePage, type PageContext } from './page.js';
import type { FormatRegistry } from './registry.js';
import type { StreamItem } from './types.js';

export interface RawDecoderOptions {
  readonly layout: PageLayout;
  readonly eventHeader?: EventHeaderLayout;
  readonly formats: FormatRegistry;
  readonly littleEndian?: boolean;
  readonly comm?: (pid: number) => string | undefined;
  readonly tgid?: (pid: number) => number | undefined;
}

export interface RawDecoderStats {
  pages: number;
  events: number;
  /** Lost events reported by pages (a page with the missed flag but no stored count adds 0). */
  lost: number;
  /** Pages flagged as having lost events before them. */
  lostPages: number;
  decodeErrors: number;
}

export class RawDecoder {
  readonly #opts: RawDecoderOptions;
  readonly #pageSize: number;
  readonly #partial = new Map<number, Uint8Array>();
  readonly #contexts = new Map<number, PageContext>();
  readonly stats: RawDecoderStats = { pages: 0, events: 0, lost: 0, lostPages: 0, decodeErrors: 0 };

  constructor(opts: RawDecoderOptions) {
    this.#opts = opts;
    this.#pageSize = opts.layout.dataOffset + opts.layout.dataSize;
  }

  /** Bytes of one whole page (one read of trace_pipe_raw). */
  get pageSize(): number {
    return this.#pageSize;
  }

  #context(cpu: number): PageContext {
    let c = this.#contexts.get(cpu);
    if (!c) {
      c = { ...this.#opts, cpu };
      this.#contexts.set(cpu, c);
    }
    return c;
  }

  /** Decodes one whole page read from CPU `cpu`. */
  decodePage(cpu: number, page: Uint8Array, out: StreamItem[] = []): StreamItem[] {
    const from = out.length;
    decodePage(page, this.#context(cpu), out);
    this.stats.pages++;
    for (let i = from; i < out.length; i++) {
      const it = out[i]!;
      if (it.type === 'event') this.stats.events++;
      else if (it.type === 'lost') {
        this.stats.lost += it.count;
        this.stats.lostPages++;
      } else this.stats.decodeErrors++;
    }
    return out;
  }

  /** Feeds bytes read from CPU `cpu`; whole pages are decoded, a partial page waits for more. */
  push(cpu: number, chunk: Uint8Array): StreamItem[] {
    const out: StreamItem[] = [];
    let buf = chunk;
    const prev = this.#partial.get(cpu);
    if (prev) {
      const joined = new Uint8Array(prev.length + chunk.length);
      joined.set(prev, 0);
      joined.set(chunk, prev.length);
      buf = joined;
      this.#partial.delete(cpu);
    }
    const ps = this.#pageSize;
    let at = 0;
    for (; at + ps <= buf.length; at += ps) this.decodePage(cpu, buf.subarray(at, at + ps), out);
    if (at < buf.length) this.#partial.set(cpu, buf.slice(at));
    return out;
  }

  /** Decodes what is left: a short final page is decoded as it is (its bytes past the end count as missing). */
  flush(): StreamItem[] {
    const out: StreamItem[] = [];
    for (const [cpu, rest] of [...this.#partial].sort((a, b) => a[0] - b[0]))
      this.decodePage(cpu, rest, out);
    this.#partial.clear();
    return out;
  }
}
