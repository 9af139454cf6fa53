// `curio bench world`: the sandbox-world benchmark (every method, several seeds, the same sample budget),
// printing the comparison table and writing table.md, chart.svg, coverage.svg and runs.json.
import { Command } from "commander";
import { WORLD_BENCH_ARMS } from "../../world/bench-arms.js";
import { positiveInt } from "../args.js";
import { makeOutput } from "../output.js";

const seedList = (v: string) => {
  const seeds = v.split(",").map(Number);
  if (seeds.some((s) => !Number.isInteger(s) || s < 0))
    throw new Error(`--seeds takes integers like 1000,2000,3000, got "${v}"`);
  return seeds;
};

export function benchCommand(): Command {
  const bench = new Command("bench").description("benchmarks that measure what curio finds");
  bench
    .command("world")
    .description("CRT vs the baselines in the sandbox world, scored against its ground truth")
    .option("--seeds <list>", "seeds, comma-separated", seedList, [1000, 2000, 3000])
    .option("--epochs <n>", "PPO epochs per run (default: the demo preset's)", positiveInt)
    .option("--methods <list>", `arms, comma-separated: ${WORLD_BENCH_ARMS.map((a) => a.name).join(",")}`)
    .option(
      "-o, --out <dir>",
      "folder for table.md, chart.svg, coverage.svg, runs.json and the run store",
      "bench-results/world",
    )
    .option("--json", "print the per-method summaries as JSON")
    .action(
      async (
        o: { seeds: number[]; epochs?: number; methods?: string; out: string; json?: boolean },
        cmd: Command,
      ) => {
        const out = makeOutput(cmd, o);
        const { runWorldBenchmark } = await import("../../world/bench.js");
        const r = await runWorldBenchmark({
          seeds: o.seeds,
          epochs: o.epochs,
          arms: o.methods?.split(","),
          out: o.out,
          log: (line: string) => out.info(line),
        });
        if (out.json) out.record(r.summaries);
        else out.line(`${r.table}\nwrote ${o.out}/table.md, chart.svg, coverage.svg, runs.json`);
      },
    );
  return bench;
}
