/**
 * An error meant for a person: the CLI prints `message` (and `hint`) without a stack trace
 * and exits with `exitCode`. Anything that is not a UserError is a bug and keeps its stack.
 */
export class UserError extends Error {
  readonly hint?: string;
  readonly exitCode: number;
  constructor(message: string, opts: { hint?: string; exitCode?: number; cause?: unknown } = {}) {
    super(message, opts.cause === undefined ? undefined : { cause: opts.cause });
    this.name = 'UserError';
    this.hint = opts.hint;
    this.exitCode = opts.exitCode ?? 2;
  }
}

/** A file that exists but cannot be used; the message always names the file. */
export class BadFileError extends UserError {
  readonly file: string;
  constructor(file: string, problem: string, opts: { hint?: string; cause?: unknown } = {}) {
    super(`${file}: ${problem}`, opts);
    this.name = 'BadFileError';
    this.file = file;
  }
}
