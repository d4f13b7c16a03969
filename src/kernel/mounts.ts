/** /proc/mounts parsing: pure, so it can be tested on captured text. */

export interface MountEntry {
  readonly source: string;
  /** Mount point, with the kernel's octal escapes (`\040` for a space) decoded. */
  readonly path: string;
  readonly fstype: string;
  readonly options: readonly string[];
}

/** Decodes the `\ooo` escapes /proc/mounts uses for space, tab, newline and backslash. */
function unescapeMountField(s: string): string {
  return s.replace(/\\([0-7]{3})/g, (_m, oct: string) =>
    String.fromCharCode(Number.parseInt(oct, 8)),
  );
}

export function parseMounts(text: string): MountEntry[] {
  const out: MountEntry[] = [];
  for (const line of text.split('\n')) {
    const f = line.trim().split(/\s+/);
    if (f.length < 3) continue;
    const [source, path, fstype, opts] = f as [string, string, string, string | undefined];
    out.push({
      source: unescapeMountField(source),
      path: unescapeMountField(path),
      fstype,
      options: opts ? opts.split(',') : [],
    });
  }
  return out;
}

/** The mount points of one filesystem type, in /proc/mounts order (the first is the oldest). */
export function mountsOfType(mounts: readonly MountEntry[], fstype: string): string[] {
  return mounts.filter((m) => m.fstype === fstype).map((m) => m.path);
}
