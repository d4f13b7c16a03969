/**
 * The planner: ProbeSpecs + options → the exact tracefs lines of a run. Pure and
 * deterministic: no file system, no clock, no randomness.
 */
import { resolveArch } from '../arch/index.js';
import type { ArchInfo } from '../arch/types.js';
import { SpecError } from '../errors.js';
import type { ProbeSpec } from '../spec/types.js';
import { planArgs } from './args.js';
import type { ProbeContext } from './context.js';
import {
  definitionFile,
  definitionHead,
  kernelPlace,
  removalLine,
  userPlace,
} from './definition.js';
import { planFilter, probeFields } from './filter.js';
import { eventName, isEventName, validateGroupName } from './naming.js';
import { planRawArgs, rawDefinition } from './raw.js';
import { isPtRegsWrapper } from './syscall.js';
import type {
  PlannedArg,
  PlannedProbe,
  PlanOptions,
  ProbePlan,
  TracepointFieldInfo,
} from './types.js';

function context(spec: ProbeSpec, arch: ArchInfo, options: PlanOptions): ProbeContext {
  const t = spec.target;
  const func =
    t.kind === 'tracepoint'
      ? `${t.group}:${t.event}`
      : (t.symbol ??
        (t.kind === 'kernel'
          ? `0x${(t.address ?? 0n).toString(16)}`
          : `${t.path}:0x${t.offset.toString(16)}`));
  const prototype =
    t.kind === 'kernel' && t.symbol !== null && options.prototype
      ? options.prototype(t.symbol)
      : null;
  const syscall =
    prototype && isPtRegsWrapper(prototype) && options.syscallArgs
      ? options.syscallArgs(prototype.name)
      : null;
  return {
    spec,
    arch,
    side: t.kind === 'user' ? 'user' : 'kernel',
    isReturn: spec.kind === 'kretprobe' || spec.kind === 'uretprobe',
    features: options.features,
    prototype,
    func,
    resolveMember: options.resolveMember ?? null,
    syscall,
  };
}

function eventFiles(
  instance: string | undefined,
  group: string,
  event: string,
  filter: boolean,
): string[] {
  const dir = `${instance ? `instances/${instance}/` : ''}events/${group}/${event}`;
  return filter ? [`${dir}/enable`, `${dir}/filter`] : [`${dir}/enable`];
}

function checkTracepointArgs(
  ctx: ProbeContext,
  infos: readonly TracepointFieldInfo[] | null,
): void {
  const fields = infos?.map((f) => (typeof f === 'string' ? f : f.name)) ?? null;
  for (const a of ctx.spec.args ?? []) {
    if (a.expr.kind !== 'param') {
      throw new SpecError(
        'E_PLAN_TRACEPOINT_ARG',
        `a tracepoint records its own fields; '${ctx.spec.text.slice(a.span.start, a.span.end)}' is not a field name`,
        {
          input: ctx.spec.text,
          column: a.span.start,
          length: a.span.end - a.span.start,
          hint: 'list field names only, e.g. t:syscalls:sys_enter_openat(filename, flags)',
        },
      );
    }
    if (fields && !fields.includes(a.expr.name)) {
      throw new SpecError('E_PLAN_TRACEPOINT_ARG', `${ctx.func} has no field '${a.expr.name}'`, {
        input: ctx.spec.text,
        column: a.span.start,
        length: a.span.end - a.span.start,
        hint: `its fields are: ${fields.join(', ')}`,
      });
    }
  }
}

function planOne(
  spec: ProbeSpec,
  index: number,
  arch: ArchInfo,
  options: PlanOptions,
  taken: Set<string>,
): PlannedProbe {
  const ctx = context(spec, arch, options);
  const t = spec.target;
  const notes: string[] = [];
  let group: string;
  let event: string;
  let definition: string | null = null;
  let file: PlannedProbe['file'] = null;
  let args: PlannedArg[];
  let tpFields: readonly TracepointFieldInfo[] | null = null;

  if (t.kind === 'tracepoint') {
    group = t.group;
    event = t.event;
    tpFields = options.tracepointFields?.(t.group, t.event) ?? null;
    checkTracepointArgs(ctx, tpFields);
    args = planArgs(ctx);
    notes.push('a tracepoint: nothing to define, only enable');
  } else {
    group = spec.syntax === 'raw' ? (spec.group ?? options.group) : options.group;
    event =
      spec.syntax === 'raw' && spec.event !== null ? spec.event : eventName(spec, index, taken);
    if (!isEventName(event)) {
      throw new SpecError(
        'E_PLAN_EVENT_NAME',
        `the event name '${event}' is not a C identifier of at most 63 characters`,
        { input: spec.text, hint: 'rename the event' },
      );
    }
    if (taken.has(`${group}/${event}`)) {
      throw new SpecError(
        'E_PLAN_EVENT_NAME',
        `the event ${group}/${event} is defined twice in this run`,
        { input: spec.text, hint: 'give each raw line its own event name' },
      );
    }
    file = definitionFile(ctx.side, options.features);
    const placed =
      t.kind === 'kernel'
        ? { place: kernelPlace(spec, t), notes: [] }
        : userPlace(spec, t, options);
    notes.push(...placed.notes);
    if (t.kind === 'kernel' && t.offset !== 0n && spec.kind === 'kprobe') {
      notes.push(`at +${t.offset} the argument registers may already have been reused`);
    }
    if (spec.syntax === 'raw') {
      args = planRawArgs(ctx);
      definition = rawDefinition(spec.text, group, event);
    } else {
      args = planArgs(ctx, notes);
      definition = [
        definitionHead(spec, group, event),
        placed.place,
        ...args.map((a) => a.token),
      ].join(' ');
    }
  }
  taken.add(event);
  taken.add(`${group}/${event}`);

  let filter: string | null = null;
  if (spec.filter) {
    const fields = probeFields(args, tpFields);
    filter = planFilter(ctx, spec.filter, fields, t.kind === 'tracepoint' && tpFields === null);
  }
  const removal = definition === null ? null : removalLine(group, event);
  return {
    spec,
    kind: spec.kind,
    group,
    event,
    definition,
    file,
    removal,
    args,
    filter,
    files: eventFiles(options.instance, group, event, filter !== null),
    notes,
  };
}

/** Plans every probe of a run. Throws a ProbekitError for the first probe that cannot be planned. */
export function plan(specs: readonly ProbeSpec[], options: PlanOptions): ProbePlan {
  const arch = resolveArch(options.arch);
  validateGroupName(options.group);
  const taken = new Set<string>();
  // Raw lines keep their own names: reserve them first so generated names avoid them.
  for (const s of specs) if (s.syntax === 'raw' && s.event !== null) taken.add(s.event);
  const reservedRaw = new Set(taken);
  const probes = specs.map((spec, i) => {
    if (spec.syntax === 'raw' && spec.event !== null) taken.delete(spec.event);
    const p = planOne(spec, i, arch, options, taken);
    for (const r of reservedRaw) taken.add(r);
    return p;
  });
  const files: string[] = [];
  for (const p of probes) {
    if (p.file && !files.includes(p.file)) files.push(p.file);
  }
  for (const p of probes) files.push(...p.files);
  return { arch: arch.name, group: options.group, probes, files };
}
