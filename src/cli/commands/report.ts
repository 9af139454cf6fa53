// `curio report RUN...`: one self-contained HTML report (or its data as JSON) for one or more runs.
import { writeFileSync } from "node:fs";
import { Command, Option } from "commander";
import { buildReportData } from "../../report/data.js";
import { renderReport } from "../../report/html.js";
import { RunStore } from "../../store/index.js";
import { nonNegativeInt, positiveInt, probability } from "../args.js";
import { resolveWorkspace } from "../workspace.js";

export function reportCommand(): Command {
  return new Command("report")
    .description(
      "write an HTML report (quality and diversity curves, training curves, findings, judge audit)",
    )
    .argument(
      "<runs...>",
      "run ids or unique prefixes; several seeds of a method are aggregated with 95% CIs",
    )
    .option("-o, --output <file>", "output file (default report.html, or stdout with --json)")
    .option("--tau <t>", "success threshold for summaries and findings", probability, 0.5)
    .addOption(
      new Option(
        "--judge <judge>",
        "judge deciding success (default: held-out when the run has one)",
      ).choices(["train", "eval"]),
    )
    .option(
      "--embedder <id>",
      "sentence embedder for embedding diversity (default: the run's own), e.g. transformers-embed, hashing",
    )
    .option("--no-embedder", "skip embedding diversity and embedding-based grouping")
    .option("--subsets <n>", "random subsets per tau for the diversity metrics", positiveInt, 100)
    .option("--subset-size <n>", "test cases per subset", positiveInt, 100)
    .option("--top <n>", "findings shown", positiveInt, 60)
    .option("--seed <n>", "seed of subset sampling and bootstrap", nonNegativeInt, 0)
    .option("--json", "write the report data as JSON instead of HTML")
    .option("-c, --config <file>", "take the workspace from this config (default: ./curio.yaml if present)")
    .option(
      "--workspace <dir>",
      "folder holding the run store (curio.db); default: the config's, else .curio",
    )
    .action(async (runs: string[], o) => {
      const store = RunStore.open(resolveWorkspace(o), { readonly: true });
      // Embedding diversity needs an embedder: --embedder, else the one the first run was configured with.
      // One that cannot load (e.g. a model not downloaded) leaves the embedding metrics out, with a notice.
      const spec =
        o.embedder ?? (store.getRun(runs[0]!).config as { embedder?: { id: string } } | null)?.embedder;
      let embedder: import("../../providers/index.js").Embedder | undefined;
      if (spec && o.embedder !== false) {
        try {
          embedder = await (await import("../../providers/index.js")).createEmbedder(spec);
        } catch (e) {
          process.stderr.write(
            `note: no embedding metrics (embedder ${typeof spec === "string" ? spec : spec.id}: ${(e as Error).message.split("\n")[0]})\n`,
          );
        }
      }
      try {
        const data = await buildReportData(store, runs, {
          tau: o.tau,
          judge: o.judge,
          subsets: o.subsets,
          subsetSize: o.subsetSize,
          topFindings: o.top,
          seed: o.seed,
          embed: embedder ? (texts) => embedder.embed(texts) : undefined,
        });
        const text = o.json ? `${JSON.stringify(data, null, 2)}\n` : renderReport(data);
        const out: string | undefined = o.output ?? (o.json ? undefined : "report.html");
        if (out) {
          writeFileSync(out, text);
          process.stderr.write(
            `report: ${data.runs.length} run(s), ${data.findingsTotal} finding(s) -> ${out}\n`,
          );
        } else process.stdout.write(text);
      } finally {
        await embedder?.close?.();
        store.close();
      }
    });
}
