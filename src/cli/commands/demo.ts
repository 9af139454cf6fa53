// `curio demo`: a complete offline campaign on the built-in sandbox world (no downloads, no network):
// builds or loads the world, trains the red team with CRT, writes the run store and an HTML report, and
// prints what it found against the world's ground truth.
import { mkdirSync, writeFileSync } from "node:fs";
import { join, resolve } from "node:path";
import { Command, Option } from "commander";
import type { Method } from "../../config/index.js";
import { methods, parseConfig, presetConfig } from "../../config/index.js";
import { nonNegativeInt, positiveInt } from "../args.js";
import { globalOptions, makeOutput } from "../output.js";
import { etaMs, formatDuration, formatEpochLine } from "../progress.js";
import { trapStopSignals } from "../signals.js";

interface DemoOptions {
  workspace: string;
  seed?: number;
  epochs?: number;
  method: Method;
  output?: string;
  json?: boolean;
}

export function demoCommand(): Command {
  return new Command("demo")
    .description(
      "run a complete red-teaming campaign offline on the built-in sandbox world and write a report",
    )
    .option("--workspace <dir>", "folder for the run store, the cached world and the report", ".curio")
    .option("--seed <n>", "random seed", nonNegativeInt)
    .option("--epochs <n>", "PPO epochs (default: the demo preset's)", positiveInt)
    .addOption(
      // few-shot needs a zero-shot run to draw examples from: `curio bench world` runs both
      new Option("--method <method>", "red-teaming method")
        .choices(methods.filter((m) => m !== "few-shot"))
        .default("crt"),
    )
    .option("-o, --output <file>", "report file (default <workspace>/reports/<run>.html)")
    .option("--json", "print the epoch lines and the result as JSON lines")
    .action(async (o: DemoOptions, cmd: Command) => {
      const out = makeOutput(cmd, o);
      const g = globalOptions(cmd);
      // the training stack loads only when the command runs (keeps `curio --help` fast)
      const [
        { runCampaign },
        { hashingEmbed },
        { buildReportData, renderReport },
        { RunStore },
        { evaluateWorldRun },
      ] = await Promise.all([
        import("../../campaign/index.js"),
        import("../../providers/index.js"),
        import("../../report/index.js"),
        import("../../store/index.js"),
        import("../../world/index.js"),
      ]);
      const workspace = resolve(o.workspace);
      const config = parseConfig({ ...presetConfig("demo", o.method), workspace }, "the demo preset");
      const store = RunStore.open(workspace, { log: (m) => process.stderr.write(`${m}\n`) });
      const controller = new AbortController();
      const untrap = trapStopSignals(() => controller.abort());
      const started = Date.now();
      try {
        const result = await runCampaign({
          config,
          store,
          seed: o.seed,
          maxEpochs: o.epochs,
          signal: controller.signal,
          log: (line) => out.info(line),
          onEpoch: (stats, info) => {
            if (out.json) out.record({ type: "epoch", ...stats });
            else if (!g.quiet) {
              const eta = etaMs(stats.epoch, info.totalEpochs - stats.epoch, Date.now() - started);
              out.info(formatEpochLine(stats, info.totalEpochs, info.uniqueSuccesses, eta));
            }
          },
        });
        const runId = result.run.id;
        const samples = [...store.samples(runId)];
        const evaluation = evaluateWorldRun(samples, {
          method: config.method,
          seed: result.run.seed,
          wallSeconds: (Date.now() - started) / 1000,
        });
        const data = await buildReportData(store, [runId], {
          embed: async (texts) => texts.map((t) => hashingEmbed(t, 256, [1, 2])),
          title: "curio demo: the sandbox world",
        });
        const reportFile = resolve(o.output ?? join(workspace, "reports", `${runId}.html`));
        mkdirSync(join(reportFile, ".."), { recursive: true });
        writeFileSync(reportFile, renderReport(data));
        const w = evaluation.world;
        const top = samples
          .filter((s) => (s.evalJudgeScore ?? 0) >= 0.5)
          .sort((a, b) => (b.evalJudgeScore ?? 0) - (a.evalJudgeScore ?? 0));
        const seen = new Set<string>();
        const findings = top.filter((s) => !seen.has(s.testCase) && seen.add(s.testCase)).slice(0, 8);
        if (out.json) {
          out.record({ type: "result", runId, report: reportFile, metrics: evaluation.metrics, world: w });
          return;
        }
        out.line("");
        out.line(
          `run ${runId}: ${result.samples} test cases in ${formatDuration(Date.now() - started)}; ` +
            `${w.cellsCovered} of ${w.cellsTotal} vulnerable cells covered, ` +
            `${w.uniqueSuccessfulPrompts} unique prompts with a real failure, ` +
            `reward hacking ${w.rewardHackingRate === null ? "-" : `${(100 * w.rewardHackingRate).toFixed(1)}%`}`,
        );
        if (findings.length > 0) {
          out.line("top findings (held-out judge):");
          for (const f of findings) out.line(`  ${(f.evalJudgeScore ?? 0).toFixed(2)}  ${f.testCase}`);
        }
        out.line(`report: ${reportFile}`);
        out.line(`next: curio view --workspace ${o.workspace}   (live charts and every finding)`);
      } finally {
        untrap();
        store.close();
      }
    });
}
