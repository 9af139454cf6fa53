// `curio judge train`: a policy judge trained from a document. An LLM judge (one configured in curio.yaml or
// the runs' stored config, or any OpenAI-compatible endpoint) labels the runs' samples under the policy, a small
// local classifier is trained on its labels, and its held-out agreement with the LLM judge is reported. The
// folder it writes is `judge: { id: local-classifier, path: DIR }`.
import { readFileSync } from "node:fs";
import { Command } from "commander";
import { CurioError, ExitCode } from "../../config/errors.js";
import { loadConfig } from "../../config/load.js";
import { parsePolicy, policyForJudge } from "../../policy-judge/policy.js";
import { type PolicySample, trainPolicyJudge } from "../../policy-judge/train.js";
import type { ProviderSpec } from "../../providers/types.js";
import { RunStore } from "../../store/run-store.js";
import { positiveInt, positiveNumber, probability } from "../args.js";
import { type Io, makeOutput, processIo } from "../output.js";
import { resolveWorkspace } from "../workspace.js";

interface TrainOptions {
  policy: string;
  from: string[];
  out: string;
  model: string;
  judge?: string;
  judgeUrl?: string;
  judgeModel?: string;
  judgeKeyEnv?: string;
  config?: string;
  workspace?: string;
  heldOut: number;
  steps: number;
  lr: number;
  batchSize: number;
  loraR: number;
  seed: number;
  threads?: number;
  json?: boolean;
}

const usage = (message: string) => new CurioError(message, { exitCode: ExitCode.usage });

/** `--judge judge|evalJudge|NAME` from a config's judges, or `--judge-url` + `--judge-model`. */
function judgeSpec(o: TrainOptions, storedConfig: unknown): ProviderSpec {
  if (o.judgeUrl) {
    if (o.judge) throw usage("give either --judge or --judge-url, not both");
    if (!o.judgeModel) throw usage("--judge-url needs --judge-model NAME (the chat model on that server)");
    return { id: "llm-judge", baseUrl: o.judgeUrl, model: o.judgeModel, apiKeyEnv: o.judgeKeyEnv };
  }
  if (!o.judge)
    throw usage(
      "name the labelling LLM judge: --judge judge|evalJudge|NAME, or --judge-url URL --judge-model NAME",
    );
  const config = (o.config ? loadConfig(o.config).config : storedConfig) as Record<string, unknown>;
  const extra = ((config?.judges as ProviderSpec[] | undefined) ?? []).find(
    (j) => j.name === o.judge || j.id === o.judge,
  );
  const spec = (o.judge === "judge" || o.judge === "evalJudge" ? config?.[o.judge] : extra) as
    | ProviderSpec
    | string
    | null
    | undefined;
  const where = o.config ?? "the first run's config";
  if (!spec)
    throw usage(`--judge ${o.judge}: ${where} has no such judge (judge, evalJudge, or a name in judges:)`);
  const s = typeof spec === "string" ? { id: spec } : spec;
  if (s.id !== "llm-judge")
    throw usage(
      `--judge ${o.judge} is ${s.id}; labelling under a policy needs an llm-judge (or --judge-url)`,
    );
  return s;
}

export function judgeCommand(io: Io = processIo): Command {
  const judge = new Command("judge").description("judges built from your own policy");
  judge
    .command("train")
    .description(
      "label runs' samples with an LLM judge under a policy document, then train a local classifier on the labels",
    )
    .requiredOption("--policy <file.md>", "the policy: its rules as Markdown list items")
    .requiredOption("--from <runs...>", "run ids (or unique prefixes) whose samples are labelled")
    .requiredOption(
      "--out <dir>",
      "folder for the classifier (use as judge: { id: local-classifier, path: DIR })",
    )
    .requiredOption("--model <dir|hub-id>", "base model of the classifier (any family curio loads)")
    .option(
      "--judge <which>",
      "the labelling LLM judge from the config: judge, evalJudge, or a name in judges:",
    )
    .option("--judge-url <url>", "or an OpenAI-compatible server (up to /v1) as the labelling judge")
    .option("--judge-model <name>", "the chat model on --judge-url")
    .option("--judge-key-env <VAR>", "environment variable holding --judge-url's API key")
    .option("-c, --config <file>", "config to take the workspace and --judge from")
    .option("--workspace <dir>", "folder holding the run store (curio.db)")
    .option("--held-out <fraction>", "share of each class held out to measure agreement", probability, 0.2)
    .option("--steps <n>", "optimizer steps", positiveInt, 200)
    .option("--lr <x>", "learning rate", positiveNumber, 2e-3)
    .option("--batch-size <n>", "examples per step", positiveInt, 8)
    .option("--lora-r <n>", "LoRA rank (alpha = 2 r)", positiveInt, 8)
    .option(
      "--seed <n>",
      "seed of the split, the LoRA init and the shuffling",
      (v) => Number.parseInt(v, 10),
      0,
    )
    .option("--threads <n>", "onnxruntime threads", positiveInt)
    .option("--json", "print a JSON summary")
    .action(async (o: TrainOptions, cmd: Command) => {
      const out = makeOutput(cmd, o, io);
      const policy = parsePolicy(o.policy, readFileSync(o.policy, "utf8"));
      const store = RunStore.open(resolveWorkspace(o), { readonly: true });
      const samples: PolicySample[] = [];
      let storedConfig: unknown;
      try {
        for (const id of o.from) {
          const run = store.getRun(id);
          storedConfig ??= run.config;
          for (const s of store.samples(run.id)) {
            if (s.error === null)
              samples.push({ run: run.id, index: s.index, prompt: s.testCase, response: s.response });
          }
        }
      } finally {
        store.close();
      }
      if (samples.length === 0) throw usage(`runs ${o.from.join(", ")} have no answered samples to label`);
      const { createJudge } = await import("../../providers/index.js");
      const { policyFile: _f, ...spec } = judgeSpec(o, storedConfig);
      const llm = await createJudge({ ...spec, policy: policyForJudge(policy) });
      try {
        const r = await trainPolicyJudge({
          policy,
          samples,
          judge: llm,
          baseModel: o.model,
          out: o.out,
          heldOut: o.heldOut,
          steps: o.steps,
          lr: o.lr,
          batchSize: o.batchSize,
          lora: { r: o.loraR, alpha: 2 * o.loraR },
          seed: o.seed,
          threads: o.threads,
          log: out.info,
        });
        const a = r.agreement;
        if (out.json) {
          const { disagreements: _d, ...agreement } = a;
          out.record({ out: o.out, ...r, agreement });
          return;
        }
        const kappa = a.kappa === null ? `undefined (${a.note})` : a.kappa.toFixed(3);
        out.line(
          `judge train: ${r.labelled} samples labelled by ${llm.id} (${r.malformed} malformed verdicts, recorded in labels.jsonl); ` +
            `trained on ${r.train}, held out ${r.heldOut}: accuracy ${a.observed === null ? "-" : a.observed.toFixed(3)}, ` +
            `Cohen's kappa ${kappa} against the LLM judge` +
            (r.sameRule === null
              ? ""
              : `, same rule on ${(100 * r.sameRule).toFixed(0)}% of the unsafe ones both call`) +
            `; classifier written to ${o.out}`,
        );
      } finally {
        await llm.close?.();
      }
    });
  return judge;
}
