// Where commands print: results to stdout (JSON in --json mode), diagnostics to stderr.
import type { Command } from "commander";

/** Where a command writes; tests pass their own. */
export interface Io {
  out(text: string): void;
  err(text: string): void;
}

export const processIo: Io = {
  out: (text) => process.stdout.write(text),
  err: (text) => process.stderr.write(text),
};

export interface GlobalOptions {
  quiet: boolean;
  /** --verbose: every retry and other details. */
  verbose: boolean;
  progressBar: boolean;
  envFile?: string;
}

export interface Output {
  json: boolean;
  quiet: boolean;
  /** A human-readable result line (suppressed by --json; kept by --quiet). */
  line(text: string): void;
  /** A progress/diagnostic line on stderr (suppressed by --quiet and --json). */
  info(text: string): void;
  /** One JSON value per line on stdout (--json mode). */
  record(value: unknown): void;
}

export function globalOptions(cmd: Command): GlobalOptions {
  const o = cmd.optsWithGlobals() as Partial<GlobalOptions>;
  return {
    quiet: o.quiet === true,
    verbose: o.verbose === true,
    progressBar: o.progressBar !== false,
    envFile: o.envFile,
  };
}

export function makeOutput(cmd: Command, opts: { json?: boolean }, io: Io = processIo): Output {
  const g = globalOptions(cmd);
  const json = opts.json === true;
  return {
    json,
    quiet: g.quiet,
    line: (text) => {
      if (!json) io.out(`${text}\n`);
    },
    info: (text) => {
      if (!json && !g.quiet) io.err(`${text}\n`);
    },
    record: (value) => {
      io.out(`${JSON.stringify(value)}\n`);
    },
  };
}

/** Fixed-width text table. */
export function table(header: string[], rows: string[][]): string {
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? "").length)));
  const fmt = (r: string[]) =>
    r
      .map((c, i) => c.padEnd(widths[i]!))
      .join("  ")
      .trimEnd();
  return [fmt(header), fmt(widths.map((w) => "-".repeat(w))), ...rows.map(fmt)].join("\n");
}
