/** A set of event formats, looked up by ID (binary records) or by name (text lines). */
import { type EventFormat, parseFormat } from './format.js';
import { compileRecordDecoder, type RecordDecoder } from './record.js';

export class FormatRegistry {
  readonly #byId = new Map<number, EventFormat>();
  readonly #byName = new Map<string, EventFormat>();
  readonly #decoders = new Map<number, RecordDecoder>();

  constructor(formats: Iterable<EventFormat> = []) {
    for (const f of formats) this.add(f);
  }

  /** Adds a format; a later format with the same ID or name replaces the earlier one. */
  add(format: EventFormat): this {
    this.#byId.set(format.id, format);
    this.#byName.set(format.name, format);
    this.#byName.set(`${format.group}/${format.name}`, format);
    this.#decoders.delete(format.id);
    return this;
  }

  /** Parses a format file's text and adds it. */
  addText(text: string, group = ''): EventFormat {
    const f = parseFormat(text, group);
    this.add(f);
    return f;
  }

  byId(id: number): EventFormat | undefined {
    return this.#byId.get(id);
  }

  /** By event name (`tentry`) or `group/name`. */
  byName(name: string): EventFormat | undefined {
    return this.#byName.get(name);
  }

  decoder(id: number): RecordDecoder | undefined {
    let d = this.#decoders.get(id);
    if (d) return d;
    const f = this.#byId.get(id);
    if (!f) return undefined;
    d = compileRecordDecoder(f);
    this.#decoders.set(id, d);
    return d;
  }

  get size(): number {
    return this.#byId.size;
  }
}
