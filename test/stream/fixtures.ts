/** Loads the captured fixtures in testdata/stream (see its README). */
import { readdirSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { type PageLayout, parseHeaderPage } from '../../src/stream/header.js';
import { FormatRegistry } from '../../src/stream/registry.js';

export const FIXTURES = fileURLToPath(new URL('../../../testdata/stream/', import.meta.url));

export function fixtureText(name: string): string {
  return readFileSync(FIXTURES + name, 'utf8');
}

export function fixtureBytes(name: string): Uint8Array {
  const b = readFileSync(FIXTURES + name);
  return new Uint8Array(b.buffer, b.byteOffset, b.byteLength);
}

/** Every `format.GROUP.EVENT` file, by `GROUP/EVENT`. */
export function fixtureFormats(): Record<string, string> {
  const out: Record<string, string> = {};
  for (const f of readdirSync(FIXTURES)) {
    const m = /^format\.([^.]+)\.(.+)$/.exec(f);
    if (m) out[`${m[1]}/${m[2]}`] = fixtureText(f);
  }
  return out;
}

export function registryFrom(formats: Record<string, string>): FormatRegistry {
  const reg = new FormatRegistry();
  for (const [k, text] of Object.entries(formats)) reg.addText(text, k.split('/')[0] ?? '');
  return reg;
}

export interface FixtureSet {
  readonly layout: PageLayout;
  readonly formats: FormatRegistry;
  readonly pages: Uint8Array[];
  readonly trace: string;
  readonly traceTgid: string;
  readonly traceNoIrq: string;
  readonly savedCmdlines: string;
  readonly savedTgids: string;
}

export function loadFixtures(): FixtureSet {
  const pages: Uint8Array[] = [];
  for (let cpu = 0; ; cpu++) {
    try {
      pages.push(fixtureBytes(`cpu${cpu}.raw`));
    } catch {
      break;
    }
  }
  return {
    layout: parseHeaderPage(fixtureText('header_page')),
    formats: registryFrom(fixtureFormats()),
    pages,
    trace: fixtureText('trace.txt'),
    traceTgid: fixtureText('trace-tgid.txt'),
    traceNoIrq: fixtureText('trace-noirq.txt'),
    savedCmdlines: fixtureText('saved_cmdlines'),
    savedTgids: fixtureText('saved_tgids'),
  };
}
