// Store errors: what went wrong with the workspace or database, and what to do about it.
import { CurioError, ExitCode } from "../util/errors.js";

export class StoreError extends CurioError {
  /** The SQLite or filesystem error code behind it (SQLITE_FULL, EACCES, ...), when known. */
  readonly code?: string;
  constructor(
    message: string,
    opts: { code?: string; hint?: string; exitCode?: number; cause?: unknown } = {},
  ) {
    super(message, { exitCode: opts.exitCode ?? ExitCode.internal, hint: opts.hint, cause: opts.cause });
    this.name = "StoreError";
    this.code = opts.code;
  }
}

function codeOf(e: unknown): string | undefined {
  const code = (e as { code?: unknown })?.code;
  return typeof code === "string" ? code : undefined;
}

/** Wraps a SQLite/filesystem failure of `action` on the database at `file` in a StoreError. */
export function storeFailure(e: unknown, action: string, file: string): StoreError {
  if (e instanceof StoreError) return e;
  const code = codeOf(e) ?? "";
  const detail = (e as Error)?.message ?? String(e);
  if (code.startsWith("SQLITE_FULL") || code === "ENOSPC") {
    return new StoreError(
      `${action}: the disk (or the store's size limit) is full at ${file}; nothing was written`,
      {
        code,
        exitCode: ExitCode.internal,
        hint: "free some space, then continue with `curio run --resume RUN` (the store is consistent)",
        cause: e,
      },
    );
  }
  if (code.startsWith("SQLITE_READONLY") || code === "EACCES" || code === "EROFS" || code === "EPERM") {
    return new StoreError(`${action}: the workspace is not writable (${file}: ${detail})`, {
      code,
      exitCode: ExitCode.usage,
      hint: "set `workspace:` in curio.yaml to a writable folder, or fix its permissions",
      cause: e,
    });
  }
  if (code.startsWith("SQLITE_CANTOPEN")) {
    return new StoreError(`${action}: cannot open ${file} (${detail})`, {
      code,
      exitCode: ExitCode.usage,
      hint: "check that the workspace folder exists and is writable",
      cause: e,
    });
  }
  if (code.startsWith("SQLITE_CORRUPT") || code.startsWith("SQLITE_NOTADB")) {
    return new StoreError(`${action}: ${file} is not a valid curio store (${detail})`, {
      code,
      exitCode: ExitCode.usage,
      hint: "move the file away to start a new store, or restore it from a backup",
      cause: e,
    });
  }
  if (code.startsWith("SQLITE_BUSY")) {
    return new StoreError(`${action}: ${file} is locked by another process (${detail})`, {
      code,
      exitCode: ExitCode.internal,
      hint: "wait for the other curio process to finish",
      cause: e,
    });
  }
  return new StoreError(`${action} failed on ${file}: ${detail}`, { code, cause: e });
}
