/**
 * How every command-line entry point fails: one line on standard error, `<command>: <what
 * went wrong>`, never a stack trace, and a non-zero exit code. `runMain` runs a command's
 * main function under that rule: an error it throws, a promise nobody awaited that rejects,
 * or an 'error' event nobody listens to (a file that cannot be written) all end the same way.
 * A server (gateway, subgraph, npm start) is covered until it has started; after that Node's
 * own handling of a crash applies again.
 */

/** A failure the command explains itself: its whole message is printed (usage included), with its exit code. */
export class CommandError extends Error {
  constructor(
    message: string,
    readonly exitCode = 2,
  ) {
    super(message);
  }
}

/** What went wrong, on one line: the first line of an error's message (a database error's SQL and a stack stay out). */
export function errorLine(error: unknown): string {
  const message = error instanceof Error ? error.message : String(error);
  const first = message.split('\n').find((line) => line.trim() !== '')?.trim();
  return first || (error instanceof Error ? error.name : 'unknown error');
}

/**
 * Runs `main`: a number it returns is the exit code; nothing keeps the process running
 * (a server's listener). Any failure ends the process with one line naming `command` and the
 * exit code `failureCode` (a CommandError's, or an error's own `exitCode`, wins).
 */
export function runMain(command: string, main: () => Promise<number | void>, failureCode = 1): void {
  const fail = (error: unknown) => {
    const own = (error as { exitCode?: unknown } | null)?.exitCode;
    console.error(`${command}: ${error instanceof CommandError ? error.message : errorLine(error)}`);
    process.exit(typeof own === 'number' ? own : failureCode);
  };
  process.on('uncaughtException', fail);
  process.on('unhandledRejection', fail);
  main().then((code) => {
    process.off('uncaughtException', fail);
    process.off('unhandledRejection', fail);
    if (typeof code === 'number') process.exit(code);
  }, fail);
}
