import { locateTracefs } from '../../kernel/tracefs-mount.js';
import { sweepStale } from '../../tracefs/sweep.js';
import { parseCommandArgs } from '../args.js';
import type { CommandIO } from '../command.js';

export const usage = `probekit cleanup: remove what probekit runs that died left in the kernel

USAGE
  probekit cleanup [--json]

  Every run owns an event group and a tracefs instance named
  probekit_<pid>_<random> and removes them when it ends, on Ctrl-C and on
  errors. A run killed with -9 cannot: its leftovers are removed here (and at
  the start of every run). Only names of that shape whose owner process is
  gone are touched; other tools' probes and live runs are left alone.

OPTIONS
  --json       print what was removed as one JSON object

EXAMPLES
  sudo probekit cleanup          # after 'kill -9' of a probekit run

REQUIREMENTS
  root (writes tracefs)
`;

export async function run(argv: readonly string[], io: CommandIO): Promise<number> {
  const { values } = parseCommandArgs('cleanup', argv, { json: { type: 'boolean' } });
  const { path, mounted } = await locateTracefs({ mount: true });
  const report = sweepStale(path);
  if (values['json']) {
    io.stdout.write(`${JSON.stringify({ tracefs: path, mounted, ...report })}\n`);
  } else {
    if (mounted) io.stderr.write(`probekit: mounted tracefs at ${path}\n`);
    for (const i of report.instancesRemoved) io.stdout.write(`removed instance ${i}\n`);
    for (const e of report.eventsRemoved) io.stdout.write(`removed event ${e}\n`);
    for (const f of report.failed) io.stdout.write(`could not remove ${f}\n`);
    if (report.instancesRemoved.length + report.eventsRemoved.length + report.failed.length === 0) {
      io.stdout.write('nothing to clean up\n');
    }
  }
  return report.failed.length > 0 ? 1 : 0;
}
