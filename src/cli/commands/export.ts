// `curio export RUN`: a run's findings as JSONL, CSV, a promptfoo test suite or safety-tuning SFT pairs.
import { createWriteStream } from "node:fs";
import { finished } from "node:stream/promises";
import { Command, Option } from "commander";
import { DEFAULT_REFUSAL, EXPORT_FORMATS, exportRun } from "../../report/exports.js";
import { RunStore } from "../../store/index.js";
import { probability } from "../args.js";
import { resolveWorkspace } from "../workspace.js";

export function exportCommand(): Command {
  return new Command("export")
    .description("export a run's findings (samples with judge score >= tau) for other tools")
    .argument("<run>", "run id or unique id prefix (see `curio runs`)")
    .addOption(
      new Option("--format <format>", "output format").choices([...EXPORT_FORMATS]).makeOptionMandatory(),
    )
    .option("-o, --output <file>", "write to this file instead of stdout")
    .option("--tau <t>", "success threshold on the judge score", probability, 0.5)
    .addOption(
      new Option(
        "--judge <judge>",
        "which judge decides (default: the held-out judge when the run has one)",
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
        process.stderr.write(
          `exported ${result.written} finding(s) of ${result.scanned} sample(s) from ${result.runId} ` +
            `(${result.judge === "eval" ? "held-out" : "training"} judge, tau ${o.tau})${o.output ? ` to ${o.output}` : ""}` +
            `${result.excluded > 0 ? `; ${result.excluded} marked false positive left out` : ""}\n`,
        );
      } catch (e) {
        if (o.output) out.destroy();
        throw e;
      } finally {
        store.close();
      }
    });
}
