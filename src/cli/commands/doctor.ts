import type { CommandIO } from '../command.js';

export const usage = `probekit doctor: not yet implemented\n`;

export async function run(_argv: readonly string[], io: CommandIO): Promise<number> {
  io.stderr.write(usage);
  return 1;
}
