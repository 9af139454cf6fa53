// Maps any error to an exit code and a message (plus hint) on stderr.
import { CommanderError } from "commander";
import { CurioError, ExitCode } from "../config/errors.js";

export function exitCodeOf(e: unknown): number {
  if (e instanceof CurioError) return e.exitCode;
  if (e instanceof CommanderError) return e.exitCode === 0 ? ExitCode.ok : ExitCode.usage;
  return ExitCode.internal;
}

/** The text printed for an error: message, hint, and for internal errors the stack (with DEBUG=curio). */
export function describeError(e: unknown, debug: boolean): string {
  if (e instanceof CommanderError) return ""; // commander already printed it
  if (e instanceof CurioError) {
    const lines = [`error: ${e.message}`];
    if (e.hint) lines.push(`hint: ${e.hint}`);
    if (debug && e.stack) lines.push(e.stack);
    return lines.join("\n");
  }
  const err = e instanceof Error ? e : new Error(String(e));
  const lines = [`internal error: ${err.message}`];
  lines.push(
    debug
      ? (err.stack ?? "")
      : "hint: run again with DEBUG=curio for the stack trace, and report it if it persists",
  );
  return lines.join("\n");
}
