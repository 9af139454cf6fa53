#!/usr/bin/env -S node --
// The `curio` command line. Nothing happens before the arguments are parsed: commands load what
// they need when they run. Errors map to exit codes: 0 ok, 1 findings over --fail-on-findings,
// 2 usage/config, 3 provider unreachable, 4 internal or failed run, 128 + signal when stopped by
// a signal (130 Ctrl-C, 143 SIGTERM, 129 SIGHUP).
// The `--` in the first line ends node's own options: Node 20 otherwise takes curio's `--env-file FILE`
// for its own and exits (code 9) before curio runs when FILE is missing.
import { readFileSync, realpathSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { Command, CommanderError } from "commander";
import { benchCommand } from "./commands/bench.js";
import { demoCommand } from "./commands/demo.js";
import { evalCommand } from "./commands/eval.js";
import { exportCommand } from "./commands/export.js";
import { initCommand } from "./commands/init.js";
import { initModelCommand } from "./commands/init-model.js";
import { judgeCommand } from "./commands/judge.js";
import { reportCommand } from "./commands/report.js";
import { runCommand } from "./commands/run.js";
import { runsCommand } from "./commands/runs.js";
import { sftCommand } from "./commands/sft.js";
import { viewCommand } from "./commands/view.js";
import { readEnvFile } from "./env-file.js";
import { describeError, exitCodeOf } from "./errors.js";
import { type Io, processIo } from "./output.js";

export async function buildProgram(version: string, io: Io = processIo): Promise<Command> {
  const program = new Command("curio")
    .description(
      "curiosity-driven red-teaming: train a red-team model to find diverse prompts that make your model unsafe",
    )
    .version(version, "-v, --version")
    .option("-q, --quiet", "print only results and errors")
    .option("--verbose", "print details: every retried request, not only the count per epoch")
    .option("--no-progress-bar", "no progress bar (progress lines only)")
    .option(
      "--env-file <file>",
      "load KEY=VALUE environment variables (for ${ENV} and API keys) before running",
    )
    .showHelpAfterError("(run with --help for usage)")
    .exitOverride()
    .configureOutput({ writeOut: io.out, writeErr: io.err });
  program.hook("preAction", (_root, action) => {
    const file = action.optsWithGlobals().envFile as string | undefined;
    if (!file) return;
    // The process environment is the CLI's to set up: variables already set win, as with dotenv.
    for (const [k, v] of Object.entries(readEnvFile(file)))
      if (process.env[k] === undefined) process.env[k] = v;
  });
  const commands = [
    initCommand(io),
    initModelCommand(io),
    runCommand(io),
    evalCommand(io),
    runsCommand(io),
    sftCommand(),
    judgeCommand(io),
    viewCommand(),
    exportCommand(io),
    reportCommand(),
    demoCommand(),
    benchCommand(),
  ];
  for (const c of commands)
    program.addCommand(c.exitOverride().configureOutput({ writeOut: io.out, writeErr: io.err }));
  return program;
}

function packageVersion(): string {
  // src/cli/main.ts and dist/cli/main.js both sit two levels below the package root.
  try {
    return JSON.parse(readFileSync(new URL("../../package.json", import.meta.url), "utf8")).version as string;
  } catch {
    return "0.0.0";
  }
}

export async function main(argv: string[], io: Io = processIo): Promise<number> {
  const debug = /\bcurio\b/.test(process.env.DEBUG ?? "");
  try {
    const program = await buildProgram(packageVersion(), io);
    await program.parseAsync(argv);
    return 0;
  } catch (e) {
    if (e instanceof CommanderError && e.exitCode === 0) return 0;
    const text = describeError(e, debug);
    if (text) io.err(`${text}\n`);
    return exitCodeOf(e);
  }
}

function isEntryPoint(): boolean {
  try {
    return realpathSync(process.argv[1] ?? "") === realpathSync(fileURLToPath(import.meta.url));
  } catch {
    return false;
  }
}

if (isEntryPoint()) {
  // `curio export ... | head`: a closed pipe ends the output, it is not an error
  process.stdout.on("error", (e: NodeJS.ErrnoException) => {
    if (e.code === "EPIPE") process.exit(0);
    throw e;
  });
  // After SIGHUP the terminal may be gone: diagnostics that cannot be shown must not stop the shutdown.
  process.stderr.on("error", (e: NodeJS.ErrnoException) => {
    if (e.code !== "EPIPE" && e.code !== "EIO") throw e;
  });
  main(process.argv).then((code) => {
    process.exitCode = code;
  });
}
