/** The shape of one CLI command module, loaded lazily by main.ts. */
export interface CommandModule {
  /** Usage text: purpose, synopsis, options with comments, examples. */
  readonly usage: string;
  /** Runs the command; resolves to the exit code. */
  run(argv: readonly string[], io: CommandIO): Promise<number>;
}

export interface CommandIO {
  readonly stdout: NodeJS.WritableStream;
  readonly stderr: NodeJS.WritableStream;
}

export interface CommandEntry {
  readonly name: string;
  readonly summary: string;
  readonly load: () => Promise<CommandModule>;
}
