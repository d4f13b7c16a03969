/** Loads the captured kernel fixtures in testdata/kernel (see its README). */
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

export const KERNEL_FIXTURES = fileURLToPath(new URL('../../../testdata/kernel/', import.meta.url));

export function fixture(name: string): string {
  return readFileSync(`${KERNEL_FIXTURES}${name}`, 'utf8');
}
