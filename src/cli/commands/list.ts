/**
 * `probekit list`: what can be probed. Kernel functions (kallsyms, marked when
 * blacklisted, notrace or not unique), tracepoints (with their fields), and
 * the functions of a user binary with the file offsets uprobes use.
 */
import { listUserFunctions } from '../../elf/index.js';
import { UsageError } from '../../errors.js';
import {
  detectFeatures,
  type GatheredFacts,
  gatherFunctionFacts,
  listTracepointEvents,
  listTracepointGroups,
  locateTracefs,
  readTracepointFields,
  type TracepointField,
} from '../../kernel/index.js';
import { globToRegExp, isGlob, nearNames } from '../../util/names.js';
import { parseCommandArgs } from '../args.js';
import type { CommandIO } from '../command.js';

export const usage = `probekit list: list traceable kernel functions, tracepoints, or functions of a binary

USAGE
  probekit list [k:]PATTERN                 # kernel functions matching PATTERN
  probekit list t:GROUP:EVENT               # tracepoints; globs in GROUP and EVENT
  probekit list --tracepoints [PATTERN]     # tracepoints whose GROUP:EVENT matches
  probekit list --uprobe PATH [PATTERN]     # functions of an ELF binary or library

  PATTERN is a glob (* ? [...]); a plain word matches names containing it.

OPTIONS
  -t, --tracepoints   # list tracepoints instead of kernel functions
  -u, --uprobe PATH   # list functions of PATH (a path, or a library name like libc)
  -p, --pid PID       # resolve --uprobe PATH in the mount namespace of PID
  -v, --verbose       # addresses, types and C prototypes (from BTF) for functions;
                      # fields for tracepoints
  --json              # one JSON array instead of text
  -h, --help          # this text

EXAMPLES
  sudo probekit list 'vfs_*'                     # VFS entry points, marked if not probeable
  sudo probekit list -v tcp_v4_connect           # with address, type and module
  sudo probekit list 't:syscalls:sys_enter_open*' -v   # open syscalls and their fields
  sudo probekit list --tracepoints 'sched:*'     # scheduler tracepoints
  probekit list --uprobe /bin/bash 'read*'       # bash functions and file offsets
  probekit list --uprobe libc malloc             # u:libc:malloc candidates

MARKS (kernel functions)
  blacklisted     in the kprobe blacklist: the kernel refuses a kprobe there
  notrace         not in available_filter_functions: kprobes work, fprobe does not
  N copies        several functions share the name: probe one by address (k:0xADDR)

REQUIREMENTS
  root for kernel functions and tracepoints (tracefs and kallsyms addresses are
  root-only); --uprobe only needs read access to the binary.
`;

type Values = Record<string, string | boolean | string[] | boolean[] | undefined>;

function usageError(message: string): UsageError {
  return new UsageError('E_USAGE', `probekit list: ${message}`, {
    hint: "run 'probekit list --help' for usage",
  });
}

/** A glob, or `*word*` for a plain word. */
function patternRegExp(pattern: string | undefined): RegExp {
  if (pattern === undefined || pattern === '') return /^/;
  return globToRegExp(isGlob(pattern) ? pattern : `*${pattern}*`);
}

function hex(a: bigint): string {
  return `0x${a.toString(16)}`;
}

function jsonText(value: unknown): string {
  return `${JSON.stringify(value, (_k, v: unknown) => (typeof v === 'bigint' ? hex(v) : v), 2)}\n`;
}

export interface KernelFunctionRow {
  readonly name: string;
  readonly entries: readonly {
    readonly address: bigint;
    readonly type: string;
    readonly module: string | null;
  }[];
  readonly marks: readonly string[];
}

/** Pure: the kernel functions matching `re`, with their marks. */
export function kernelFunctionRows(
  facts: Pick<GatheredFacts, 'kallsyms' | 'traceable' | 'blacklist'>,
  re: RegExp,
): KernelFunctionRow[] {
  const rows: KernelFunctionRow[] = [];
  const checkTraceable = facts.traceable.source === 'available_filter_functions';
  for (const name of facts.kallsyms.functionNames()) {
    if (!re.test(name)) continue;
    const entries = facts.kallsyms.functions(name);
    const marks: string[] = [];
    if (facts.blacklist.ok && facts.blacklist.blacklist.lookup(name, entries[0]?.address))
      marks.push('blacklisted');
    if (checkTraceable && !facts.traceable.names.has(name)) marks.push('notrace');
    if (entries.length > 1) marks.push(`${entries.length} copies`);
    rows.push({
      name,
      entries: entries.map((e) => ({ address: e.address, type: e.type, module: e.module })),
      marks,
    });
  }
  return rows.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
}

/** C prototypes from the kernel's BTF, or null when there is none (loaded only for -v/--json). */
async function prototypeLookup(): Promise<((name: string) => string | null) | null> {
  const api = await import('../../api/prototypes.js');
  if (!api.hasKernelBtf()) return null;
  const { loadKernelBtf } = await import('../../btf/index.js');
  try {
    const btf = loadKernelBtf();
    return (name) => api.renderKernelPrototype(btf, name);
  } catch {
    return null;
  }
}

async function listKernelFunctions(
  pattern: string | undefined,
  values: Values,
  io: CommandIO,
): Promise<number> {
  const { path } = await locateTracefs({ mount: true });
  const features = await detectFeatures(path);
  const facts = await gatherFunctionFacts(path, { features, mountDebugfs: features.kprobes });
  const rows = kernelFunctionRows(facts, patternRegExp(pattern));
  const notes: string[] = [];
  if (!features.kprobes) {
    notes.push(
      `kprobes are not available (${features.kprobesMissing}): these functions cannot be probed on this kernel; use tracepoints (probekit list --tracepoints) or uprobes`,
    );
  }
  if (facts.traceable.source === 'kallsyms' && facts.traceable.note)
    notes.push(`notrace functions are not marked: ${facts.traceable.note}`);
  if (features.kprobes && !facts.blacklist.ok)
    notes.push(`blacklisted functions are not marked: ${facts.blacklist.reason}`);
  if (facts.kallsyms.addressesHidden)
    notes.push('kallsyms addresses are hidden (run as root to see them)');
  const prototype =
    values.verbose === true || values.json === true ? await prototypeLookup() : null;
  for (const n of notes) io.stderr.write(`probekit list: ${n}\n`);
  if (values.json === true) {
    io.stdout.write(
      jsonText(
        rows.map((r) => ({
          ...r,
          probeable: features.kprobes && !r.marks.includes('blacklisted'),
          ...(prototype ? { prototype: prototype(r.name) } : {}),
        })),
      ),
    );
  } else {
    const width = Math.min(48, Math.max(0, ...rows.map((r) => r.name.length)) + 2);
    for (const r of rows) {
      let line = r.name.padEnd(width);
      if (values.verbose === true) {
        line += r.entries
          .map((e) => `${hex(e.address)} ${e.type}${e.module ? ` [${e.module}]` : ''}`)
          .join(', ');
        if (r.marks.length > 0) line += '  ';
      }
      io.stdout.write(`${(line + r.marks.join(', ')).trimEnd()}\n`);
      const proto = prototype?.(r.name);
      if (proto) io.stdout.write(`    ${proto};\n`);
    }
  }
  if (rows.length === 0) {
    const near =
      pattern && !isGlob(pattern) ? nearNames(pattern, facts.kallsyms.functionNames(), 5) : [];
    io.stderr.write(
      `probekit list: no kernel function matches '${pattern ?? '*'}'${near.length > 0 ? `; near names: ${near.join(', ')}` : ''}\n`,
    );
    return 1;
  }
  return 0;
}

/** Splits `t:GROUP:EVENT`, `GROUP:EVENT` or a bare glob into two globs. */
function tracepointPattern(pattern: string | undefined): { group: RegExp; event: RegExp } {
  const body = (pattern ?? '*').replace(/^t:/, '');
  const colon = body.indexOf(':');
  if (colon < 0) return { group: /^/, event: patternRegExp(body) };
  return {
    group: globToRegExp(body.slice(0, colon) || '*'),
    event: globToRegExp(body.slice(colon + 1) || '*'),
  };
}

async function listTracepoints(
  pattern: string | undefined,
  values: Values,
  io: CommandIO,
): Promise<number> {
  const { path } = await locateTracefs({ mount: true });
  const re = tracepointPattern(pattern);
  const groups = (await listTracepointGroups(path)).filter((g) => re.group.test(g));
  const found: { group: string; event: string; fields?: TracepointField[] }[] = [];
  for (const group of groups) {
    for (const event of (await listTracepointEvents(path, group)) ?? []) {
      if (!re.event.test(event)) continue;
      const fields =
        values.verbose === true || values.json === true
          ? ((await readTracepointFields(path, group, event)) ?? [])
          : undefined;
      found.push(
        fields === undefined
          ? { group, event }
          : { group, event, fields: fields.filter((f) => !f.common) },
      );
    }
  }
  if (values.json === true) io.stdout.write(jsonText(found));
  else {
    for (const tp of found) {
      io.stdout.write(`t:${tp.group}:${tp.event}\n`);
      for (const f of tp.fields ?? [])
        io.stdout.write(`    ${f.type} ${f.name};  (offset ${f.offset}, size ${f.size})\n`);
    }
  }
  if (found.length === 0) {
    io.stderr.write(
      `probekit list: no tracepoint matches '${pattern ?? '*'}'\n  hint: list the groups with: probekit list --tracepoints\n`,
    );
    return 1;
  }
  return 0;
}

function listUprobeFunctions(
  path: string,
  pattern: string | undefined,
  values: Values,
  io: CommandIO,
): number {
  const pidText = values.pid;
  let pid: number | undefined;
  if (typeof pidText === 'string') {
    pid = Number(pidText);
    if (!Number.isInteger(pid) || pid <= 0)
      throw usageError(`--pid wants a process id, got '${pidText}'`);
  }
  const glob = pattern === undefined ? undefined : isGlob(pattern) ? pattern : `*${pattern}*`;
  const funcs = listUserFunctions(path, glob, pid === undefined ? {} : { pid });
  if (values.json === true) io.stdout.write(jsonText(funcs));
  else {
    const width = Math.min(48, Math.max(0, ...funcs.map((f) => f.displayName.length)) + 2);
    for (const f of funcs) {
      let line = `${f.displayName.padEnd(width)}${hex(f.fileOffset)}`;
      if (values.verbose === true)
        line += `  vaddr ${hex(f.vaddr)} size ${f.size} ${f.binding} ${f.type} (${f.table})`;
      else if (f.type === 'IFUNC') line += '  IFUNC';
      io.stdout.write(`${line}\n`);
    }
  }
  if (funcs.length === 0) {
    io.stderr.write(`probekit list: no function of ${path} matches '${pattern ?? '*'}'\n`);
    return 1;
  }
  return 0;
}

export async function run(argv: readonly string[], io: CommandIO): Promise<number> {
  const { values, positionals } = parseCommandArgs('list', argv, {
    tracepoints: { type: 'boolean', short: 't' },
    uprobe: { type: 'string', short: 'u' },
    pid: { type: 'string', short: 'p' },
    verbose: { type: 'boolean', short: 'v' },
    json: { type: 'boolean' },
  });
  if (positionals.length > 1)
    throw usageError(`one PATTERN at most, got ${positionals.length}: ${positionals.join(' ')}`);
  const pattern = positionals[0];
  if (typeof values.uprobe === 'string') {
    if (values.tracepoints === true) throw usageError('--uprobe and --tracepoints do not mix');
    return listUprobeFunctions(values.uprobe, pattern, values, io);
  }
  if (values.pid !== undefined) throw usageError('--pid goes with --uprobe');
  if (values.tracepoints === true || pattern?.startsWith('t:'))
    return listTracepoints(pattern, values, io);
  return listKernelFunctions(pattern?.replace(/^k:/, ''), values, io);
}
