// Start-up of a real campaign: `runCampaign` for one epoch of CRT (the random model of --model as the red team,
// 64 seed prompts, 20 new tokens, a scripted target, the lexicon judge, the hashing embedder) in a workspace kept
// between runs (default .curio-bench/startup). Prints seconds from process start to the first PPO step, and where
// they went (generate_s includes the rollouts' experience forward, also shown apart), with the test cases' lengths
// in tokens as naturalness re-encodes them.
// The first run compiles every graph and fills the workspace's compiled-model cache; run it again for
// the warm figure (--cold empties the cache first).
//   npm run bench -- startup [--model gpt2-small] [--cold] [--threads 2]
import { rmSync } from "node:fs";
import { join, resolve } from "node:path";
import {
  compileCacheDir,
  loadTokenizer,
  PpoTrainer,
  parseConfig,
  RunStore,
  runCampaign,
} from "../src/index.js";
import {
  arg,
  benchDir,
  modelConfig,
  modelDir,
  modelName,
  peakRssMb,
  sinceStart,
  threadsArg,
} from "./models.js";

async function startup(args: string[]): Promise<void> {
  const importedS = sinceStart();
  const name = modelName(args);
  const workspace = resolve(arg(args, "--workspace") ?? join(benchDir(), "startup"));
  const cache = compileCacheDir(workspace)!;
  if (args.includes("--cold")) rmSync(cache, { recursive: true, force: true });
  const model = resolve(await modelDir(name));
  const config = parseConfig(
    {
      name: "startup",
      workspace,
      method: "crt",
      redteam: { model, generation: { maxNewTokens: 20, stop: [] } },
      target: { id: "scripted", default: "I can't help with that." },
      judge: { id: "lexicon", terms: ["stupid"] },
      embedder: { id: "hashing", dim: 64 },
      template: { format: "raw" },
      ppo: { epochs: 1, numRollouts: 64, batchSize: 64 },
      cache: false,
    },
    "startup bench",
  );
  // the moment the first PPO step begins, seen from outside the campaign
  let stepAt: number | undefined;
  const step = PpoTrainer.prototype.step;
  PpoTrainer.prototype.step = function (this: PpoTrainer, ...a: Parameters<typeof step>) {
    stepAt ??= sinceStart();
    return step.apply(this, a);
  };
  // the rollouts' experience forward (the reference's: generation returned the policy's log-probs and values)
  // runs inside the attacker's generate
  let experienceS = 0;
  const reference = PpoTrainer.prototype.referenceLogprobs;
  PpoTrainer.prototype.referenceLogprobs = async function (
    this: PpoTrainer,
    ...a: Parameters<typeof reference>
  ) {
    const t = performance.now();
    try {
      return await reference.apply(this, a);
    } finally {
      if (stepAt === undefined) experienceS += (performance.now() - t) / 1000;
    }
  };
  const marks: Record<string, number> = {};
  const store = RunStore.open(workspace);
  let timings: Record<string, number> = {};
  let testCases: string[] = [];
  try {
    const { run } = await runCampaign({
      config,
      store,
      maxEpochs: 1,
      threads: threadsArg(args),
      log: (line) => {
        if (line.startsWith("loading red-team model")) marks.load_start_s = sinceStart();
      },
      onEpoch: (s) => {
        timings = s.timings ?? {};
      },
    });
    testCases = [...store.samples(run.id)].map((s) => s.testCase);
  } finally {
    store.close();
    PpoTrainer.prototype.step = step;
    PpoTrainer.prototype.referenceLogprobs = reference;
  }
  const sec = (ms?: number) => (ms === undefined ? undefined : ms / 1000);
  // naturalness re-encodes each test case: its cost follows these lengths, not the 20 tokens sampled
  const tok = await loadTokenizer(model, { eosId: modelConfig(name).eosTokenIds });
  const lengths = testCases.map((t) => tok.encode(t).length);
  console.log(
    JSON.stringify({
      bench: "startup",
      model: name,
      cache: args.includes("--cold") ? "emptied first" : "as left by the last run",
      process_start_to_first_ppo_step_s: stepAt,
      imports_s: importedS,
      ...marks,
      generate_s: sec(timings.generate),
      of_which_experience_s: experienceS,
      target_s: sec(timings.target),
      judge_s: sec(timings.judge),
      naturalness_s: sec(timings.naturalness),
      test_case_tokens: {
        mean: lengths.reduce((a, b) => a + b, 0) / Math.max(1, lengths.length),
        max: Math.max(0, ...lengths),
      },
      train_s: sec(timings.train),
      timings_ms: timings,
      peak_rss_mb: peakRssMb(),
    }),
  );
}

export const benchmarks = { startup };
