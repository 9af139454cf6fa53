// Typed errors shared by every layer (library and CLI). The CLI maps `exitCode` to the process exit
// code and prints `hint` under the message; library code only throws.

export const ExitCode = {
  ok: 0,
  /** Unique successes above --fail-on-findings. */
  findings: 1,
  /** Bad arguments, config or workspace. */
  usage: 2,
  /** A provider or the target could not be reached. */
  unreachable: 3,
  /** Internal error or a failed run. */
  internal: 4,
  /** Interrupted by Ctrl-C (128 + SIGINT). */
  interrupted: 130,
} as const;
export type ExitCodeValue = (typeof ExitCode)[keyof typeof ExitCode];

export class CurioError extends Error {
  readonly exitCode: number;
  readonly hint?: string;
  constructor(message: string, opts: { exitCode?: number; hint?: string; cause?: unknown } = {}) {
    super(message, opts.cause === undefined ? undefined : { cause: opts.cause });
    this.name = "CurioError";
    this.exitCode = opts.exitCode ?? ExitCode.internal;
    this.hint = opts.hint;
  }
}

/** curio.yaml (or a file it references) is missing, malformed or invalid. Exit code 2. */
export class ConfigError extends CurioError {
  /** One line per problem, each starting with the key path. */
  readonly problems: string[];
  constructor(message: string, opts: { problems?: string[]; hint?: string; cause?: unknown } = {}) {
    super(message, { exitCode: ExitCode.usage, hint: opts.hint, cause: opts.cause });
    this.name = "ConfigError";
    this.problems = opts.problems ?? [];
  }
}

/** A provider or target is unreachable. Exit code 3. */
export class UnreachableError extends CurioError {
  constructor(message: string, opts: { hint?: string; cause?: unknown } = {}) {
    super(message, { exitCode: ExitCode.unreachable, ...opts });
    this.name = "UnreachableError";
  }
}
