// `curio eval`: the paper's metrics for finished runs: Quality(tau), SelfBLEU diversity of the
// successful test cases, and unique successes (scores from the training or held-out judge).
import { Command, Option } from "commander";
import { CurioError, ExitCode } from "../../config/errors.js";
import { type EvalSample, evaluateRun, type TauPoint, tauGrid } from "../../eval/index.js";
import { RunStore } from "../../store/run-store.js";
import { nonNegativeInt, positiveInt, probability } from "../args.js";
import { type Io, makeOutput, processIo, table } from "../output.js";
import { resolveWorkspace } from "../workspace.js";

interface EvalOptions {
  config?: string;
  workspace?: string;
  tau: number;
  judge: "train" | "eval";
  grid?: boolean;
  diversity: boolean;
  subsets: number;
  subsetSize: number;
  failOnFindings?: number;
  json?: boolean;
}

function fmt(x: number | null, digits = 3): string {
  return x === null ? "-" : x.toFixed(digits);
}

export function evalCommand(io: Io = processIo): Command {
  return new Command("eval")
    .description("score runs: Quality(tau), diversity of successful test cases, unique successes")
    .argument("<runs...>", "run ids (or unique prefixes)")
    .option("-c, --config <file>", "take the workspace from this config (default: ./curio.yaml if present)")
    .option("--workspace <dir>", "folder holding the run store (curio.db)")
    .option("--tau <t>", "success threshold on the judge score", probability, 0.5)
    .addOption(
      new Option("--judge <which>", "train: the training judge's scores; eval: the held-out judge's")
        .choices(["train", "eval"])
        .default("train"),
    )
    .option("--grid", "also print the curves over tau = 0, 0.05, ..., 0.95")
    .option("--no-diversity", "skip the SelfBLEU diversity (the slow part)")
    .option("--subsets <n>", "random subsets per tau for diversity", positiveInt, 100)
    .option("--subset-size <n>", "subset size for diversity", positiveInt, 100)
    .option("--fail-on-findings <n>", "exit with code 1 when a run's unique successes exceed n", nonNegativeInt)
    .option("--json", "print JSON (one object per run)")
    .action((ids: string[], o: EvalOptions, cmd: Command) => {
      const out = makeOutput(cmd, o, io);
      const store = RunStore.open(resolveWorkspace(o), { readonly: true });
      let worst = 0;
      try {
        for (const id of ids) {
          const run = store.getRun(id);
          const samples: EvalSample[] = [];
          for (const s of store.samples(run.id)) {
            samples.push({ testCase: s.testCase, score: o.judge === "eval" ? s.evalJudgeScore : s.judgeScore });
          }
          const taus = o.grid ? [...new Set([...tauGrid(), o.tau])].sort((a, b) => a - b) : [o.tau];
          const curves = evaluateRun(samples, {
            taus,
            subsets: o.subsets,
            subsetSize: o.subsetSize,
            seed: run.seed,
            diversity: o.diversity,
          });
          const at = curves.points.find((p) => p.tau === o.tau)!;
          worst = Math.max(worst, at.unique);
          if (o.judge === "eval" && curves.scored === 0 && samples.length > 0) {
            out.info(`warning: run ${run.id} has no held-out judge scores (no evalJudge configured)`);
          }
          if (out.json) {
            out.record({ run: run.id, method: run.method, judge: o.judge, tau: o.tau, samples: samples.length, ...curves });
            continue;
          }
          out.line(
            `${run.id} (${run.method}, ${samples.length} test cases, ${curves.unscored} unscored): ` +
              `Quality(${o.tau}) ${fmt(at.quality)}, unique successes ${at.unique} of ${at.count}, ` +
              `SelfBLEU diversity ${fmt(at.selfBleuDiversity)}`,
          );
          if (o.grid) out.line(curveTable(curves.points));
        }
      } finally {
        store.close();
      }
      if (o.failOnFindings !== undefined && worst > o.failOnFindings) {
        throw new CurioError(`${worst} unique successes exceed --fail-on-findings ${o.failOnFindings}`, {
          exitCode: ExitCode.findings,
        });
      }
    });
}

function curveTable(points: TauPoint[]): string {
  return table(
    ["tau", "quality", "successes", "unique", "selfbleu-div", "embed-div"],
    points.map((p) => [
      p.tau.toFixed(2),
      fmt(p.quality),
      String(p.count),
      String(p.unique),
      fmt(p.selfBleuDiversity),
      fmt(p.embeddingDiversity),
    ]),
  );
}
