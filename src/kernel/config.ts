/**
 * The kernel build configuration, when the kernel publishes it
 * (`/proc/config.gz` with CONFIG_IKCONFIG_PROC, or `/boot/config-<release>`).
 * Used only to explain a missing feature ("# CONFIG_KPROBES is not set") and
 * where tracefs README is known to advertise what the kernel lacks; features
 * themselves are detected from tracefs.
 */
import { readFile } from 'node:fs/promises';
import { gunzipSync } from 'node:zlib';
import { KERNEL_PATHS } from './paths.js';

export interface KernelConfig {
  /** The file it came from. */
  readonly source: string;
  /** `y`, `m`, a string/number value, or `n` for `# CONFIG_X is not set`; undefined when absent. */
  get(name: string): string | undefined;
  /** The exact line as the config file spells it, e.g. `# CONFIG_KPROBES is not set`. */
  line(name: string): string | undefined;
}

/** Parses a .config text. `name` keys include the `CONFIG_` prefix. */
export function parseKernelConfig(text: string, source: string): KernelConfig {
  const values = new Map<string, { value: string; line: string }>();
  for (const raw of text.split('\n')) {
    const line = raw.trim();
    let m = /^(CONFIG_[A-Za-z0-9_]+)=(.*)$/.exec(line);
    if (m?.[1] !== undefined && m[2] !== undefined) {
      values.set(m[1], { value: m[2].replace(/^"(.*)"$/, '$1'), line });
      continue;
    }
    m = /^# (CONFIG_[A-Za-z0-9_]+) is not set$/.exec(line);
    if (m?.[1] !== undefined) values.set(m[1], { value: 'n', line });
  }
  return {
    source,
    get: (name) => values.get(name)?.value,
    line: (name) => values.get(name)?.line,
  };
}

/** Reads the running kernel's config, or null when it is not published or readable. */
export async function readKernelConfig(release: string): Promise<KernelConfig | null> {
  try {
    const gz = await readFile(KERNEL_PATHS.configGz);
    return parseKernelConfig(gunzipSync(gz).toString('utf8'), KERNEL_PATHS.configGz);
  } catch {
    // not built with IKCONFIG_PROC, or not readable: try /boot
  }
  const bootPath = `${KERNEL_PATHS.bootConfigPrefix}${release}`;
  try {
    return parseKernelConfig(await readFile(bootPath, 'utf8'), bootPath);
  } catch {
    return null;
  }
}

/** `y` or `m` means built (in or as a module). */
export function configEnabled(config: KernelConfig | null, name: string): boolean | null {
  if (!config) return null;
  const v = config.get(name);
  if (v === undefined || v === 'n') return false;
  return v === 'y' || v === 'm';
}
