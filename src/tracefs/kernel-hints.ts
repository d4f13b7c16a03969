/**
 * Our hints for the kernel's probe-definition error messages (the ERRORS macro
 * in kernel/trace/trace_probe.h). Matched by the message's start.
 */
export const KERNEL_MESSAGE_HINTS = [
  [
    'Invalid register name',
    "register names differ per architecture and from assembler names: see 'probekit explain SPEC'",
  ],
  [
    'Invalid probed address or symbol',
    "the function may be inlined, static in a module not loaded, or missing: try 'probekit list PATTERN'",
  ],
  [
    'The symbol is not unique',
    'several functions share this name: probe one by address from /proc/kallsyms (k:0xADDR)',
  ],
  [
    'Probe point is not an instruction boundary',
    'the offset falls inside an instruction: use +0 or an offset from a disassembly',
  ],
  [
    'Retprobe address must be an function entry',
    'return probes attach to a function entry: drop the +offset',
  ],
  [
    'Failed to find the given file',
    'the binary path does not exist for the kernel: use an absolute path',
  ],
  ['Not a regular file', 'give the binary itself, not a directory or a device'],
  ['Invalid uprobe offset', 'uprobe offsets are file offsets: see probekit list --uprobe PATH'],
  ['Maxactive is', 'maxactive is only for return probes, 1..4096'],
  ['$retval is not available on probe', 'read the return value with a return probe (kr: or ur:)'],
  ['Invalid argument number', '$argN counts from 1 and needs a function-entry kprobe'],
  ['Argument expression is too long', 'one argument expression may be at most 63 characters'],
  ['Too many arguments', 'a probe may record at most 128 arguments'],
  [
    'Event too big',
    'the fixed part of one event may be at most 3072 bytes: record fewer or smaller fields',
  ],
  [
    'Unknown type is specified',
    'types are u8..u64, s8..s64, x8..x64, char, string, ustring, symbol, symstr, bitfields and arrays',
  ],
  ['String accepts only memory argument', 'a string needs a memory fetch: write +0(%REG):string'],
  [
    'Given group/event name is already used',
    'another event has this name: pick another event name',
  ],
  ['There is already the exact same probe event', 'the same probe already exists in this group'],
  [
    'Failed to register probe event',
    'the kernel refused the probe point (blacklisted, notrace, or not code)',
  ],
  ['Symbol is not available with uprobe', 'uprobes cannot read kernel symbols'],
  ['File offset is not available with kprobe', '@+OFFSET is only for uprobes'],
] as const satisfies readonly (readonly [string, string])[];

export function hintForKernelMessage(message: string): string | undefined {
  for (const [prefix, hint] of KERNEL_MESSAGE_HINTS) {
    if (message.startsWith(prefix)) return hint;
  }
  return undefined;
}
