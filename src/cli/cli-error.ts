/** A failure told in one line; exit status 2 for a usage error (the default), 1 for any other. */
export class CliError extends Error {
  constructor(
    message: string,
    readonly exitCode: 1 | 2 = 2,
  ) {
    super(message);
  }
}
