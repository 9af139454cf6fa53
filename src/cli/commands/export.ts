// `curio export RUN`: a run's findings as JSONL, CSV, a promptfoo test suite or safety-tuning SFT pairs; or,
// for an Active Attacks run, its hardened target as a model folder.
import { createWriteStream } from "node:fs";
import { dirname, resolve } from "node:path";
import { finished } from "node:stream/promises";
import { Command, Option } from "commander";
import { DEFAULT_REFUSAL, EXPORT_FORMATS, exportRun } from "../../report/exports.js";
import { RunStore } from "../../store/index.js";
import { CurioError, ExitCode } from "../../util/errors.js";
import { probability } from "../args.js";
import { type Io, processIo } from "../output.js";
import { resolveWorkspace } from "../workspace.js";

/** Samples the deciding judge could not score: included (with their error) at tau 0, else only counted. */
function unscoredNote(unscored: number, tau: number): string {
  if (unscored === 0) return "";
  return tau === 0
    ? `; ${unscored} without a score (the target or judge failed) included with their error`
    : `; ${unscored} without a score (the target or judge failed) left out (--tau 0 exports them with their error)`;
}

export function exportCommand(io: Io = processIo): Command {
  return new Command("export")
    .description("export a run's findings (samples with judge score >= tau) for other tools")
    .argument("<run>", "run id or unique id prefix (see `curio runs`)")
    .addOption(
      new Option(
        "--format <format>",
        "output format (hardened-target: an Active Attacks run's tuned target, into the folder -o)",
      )
        .choices([...EXPORT_FORMATS, HARDENED])
        .makeOptionMandatory(),
    )
    .option("-o, --output <file>", "write to this file instead of stdout (hardened-target: a folder)")
    .option("--tau <t>", "success threshold on the judge score", probability, 0.5)
    .addOption(
      new Option(
        "--judge <judge>",
        "which judge decides (default: the held-out judge when the run has its scores, else the training judge)",
      ).choices(["train", "eval"]),
    )
    .option("--refusal <text>", "sft: the completion paired with every finding", DEFAULT_REFUSAL)
    .option("--rubric <text>", "promptfoo: the llm-rubric the target's answer must satisfy")
    .option("--moderation", "promptfoo: also assert that the answer passes a moderation check")
    .option("-c, --config <file>", "take the workspace from this config (default: ./curio.yaml if present)")
    .option(
      "--workspace <dir>",
      "folder holding the run store (curio.db); default: the config's, else .curio",
    )
    .action(async (runId: string, o) => {
      if (o.format === HARDENED) return exportTarget(runId, o);
      const store = RunStore.open(resolveWorkspace(o), { readonly: true });
      const out = o.output ? createWriteStream(o.output) : process.stdout;
      try {
        const result = await exportRun(store, runId, out, {
          format: o.format,
          tau: o.tau,
          judge: o.judge,
          refusal: o.refusal,
          rubric: o.rubric,
          moderation: o.moderation ?? false,
        });
        if (o.output) {
          out.end();
          await finished(out);
        }
        io.err(
          `exported ${result.written} finding(s) of ${result.scanned} sample(s) from ${result.runId} ` +
            `(${result.judge === "eval" ? "held-out" : "training"} judge, tau ${o.tau})${o.output ? ` to ${o.output}` : ""}` +
            `${result.excluded > 0 ? `; ${result.excluded} marked false positive left out` : ""}` +
            `${unscoredNote(result.unscored, o.tau)}\n`,
        );
      } catch (e) {
        if (o.output) out.destroy();
        throw e;
      } finally {
        store.close();
      }
    });
}

const HARDENED = "hardened-target";

async function exportTarget(runId: string, o: { output?: string; config?: string; workspace?: string }) {
  if (!o.output) {
    throw new CurioError("--format hardened-target writes a folder: give it with -o DIR", {
      exitCode: ExitCode.usage,
    });
  }
  const store = RunStore.open(resolveWorkspace(o), { readonly: true });
  try {
    const { exportHardenedTarget } = await import("../../attack/active/export.js");
    // the target's paths resolve as in the run: against curio.yaml's folder when given, else here
    const baseDir = o.config ? dirname(resolve(o.config)) : process.cwd();
    const r = await exportHardenedTarget(store, runId, resolve(o.output), { baseDir, env: process.env });
    process.stderr.write(
      `exported the hardened target of ${r.runId} (after round ${r.rounds.length}, checkpoint of epoch ${r.epoch}) to ${o.output}\n`,
    );
  } finally {
    store.close();
  }
}
