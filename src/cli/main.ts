/**
 * probekit's entry point. Kept tiny and lazy: only the command that runs is
 * imported. Exit codes: 0 success, 1 runtime failure, 2 usage error.
 */
import type { CommandIO } from './command.js';
import { COMMANDS } from './commands.js';
import { reportError } from './report.js';

const TOP_USAGE = `probekit: Linux dynamic tracing: kprobes, uprobes and tracepoints, no compiler needed

USAGE
  probekit COMMAND [OPTIONS] [ARGS]
  probekit COMMAND --help        # usage and examples of one command

COMMANDS
${COMMANDS.map((c) => `  ${c.name.padEnd(12)} ${c.summary}`).join('\n')}

PROBES (one per argument; the same language in the library)
  k:FUNC[+OFFS][(ARGS)]          kprobe       k:do_sys_openat2(dfd:s32, filename:ustring)
  kr:FUNC[(retval)]              kretprobe    kr:do_sys_openat2(retval:s64)
  u:PATH:SYMBOL[(ARGS)]          uprobe       u:/bin/bash:readline
  ur:PATH:SYMBOL[(retval)]       uretprobe    'ur:/bin/bash:readline(retval:string)'
  t:GROUP:EVENT [if FILTER]      tracepoint   't:syscalls:sys_enter_openat if dfd == -100'

EXAMPLES
  probekit explain 'k:do_sys_open(dfd, filename:string, flags, mode)' --arch all
  sudo probekit trace 't:syscalls:sys_enter_openat(filename)' -c 'cat /etc/hostname'
  sudo probekit trace 'ur:/lib/x86_64-linux-gnu/libc.so.6:malloc(retval)' -p 1234 -d 5
  sudo probekit doctor
`;

export async function main(argv: readonly string[], io: CommandIO): Promise<number> {
  const [name, ...rest] = argv;
  if (name === undefined || name === '--help' || name === '-h' || name === 'help') {
    const target = name === 'help' ? rest[0] : undefined;
    if (target === undefined) {
      io.stdout.write(TOP_USAGE);
      return name === undefined ? 2 : 0;
    }
    return main([target, '--help'], io);
  }
  if (name === '--version' || name === '-V') {
    const { readFile } = await import('node:fs/promises');
    const pkg = JSON.parse(
      await readFile(new URL('../../../package.json', import.meta.url), 'utf8'),
    ) as { version: string };
    io.stdout.write(`probekit ${pkg.version}\n`);
    return 0;
  }
  const entry = COMMANDS.find((c) => c.name === name);
  if (!entry) {
    io.stderr.write(
      `probekit: unknown command '${name}'\n  hint: commands are ${COMMANDS.map((c) => c.name).join(', ')}; run 'probekit --help'\n`,
    );
    return 2;
  }
  try {
    const mod = await entry.load();
    if (rest.includes('--help') || rest.includes('-h')) {
      io.stdout.write(mod.usage);
      return 0;
    }
    return await mod.run(rest, io);
  } catch (e) {
    return reportError(e, io.stderr, rest.includes('-v') || rest.includes('--verbose'));
  }
}
