// `curio init-model`: a new attacker without hub access, a tokenizer learnt from the user's corpus and a random
// model of a family and size, ready for `curio sft`.
import { Command, InvalidArgumentError, Option } from "commander";
import { INIT_MODEL_FAMILIES, initModel, MODEL_SIZES, type ModelSizeName } from "../../models/init-model.js";
import { type Io, makeOutput, processIo } from "../output.js";

const describeSize = (name: ModelSizeName) => {
  const s = MODEL_SIZES[name];
  return `${name}: ${s.layers} layers, d ${s.width}, ${s.heads} heads (${s.kvHeads} KV), ${s.maxPositions} positions, vocab <= ${s.vocabSize}`;
};

export function initModelCommand(io: Io = processIo): Command {
  return new Command("init-model")
    .description(
      "create a new red-team model without hub access: a byte-level BPE tokenizer learnt from your corpus and a randomly initialised model, for `curio sft`",
    )
    .addOption(new Option("--family <name>", "model family").choices(INIT_MODEL_FAMILIES).default("llama"))
    .addOption(
      new Option("--size <name>", (Object.keys(MODEL_SIZES) as ModelSizeName[]).map(describeSize).join("; "))
        .choices(Object.keys(MODEL_SIZES))
        .default("tiny"),
    )
    .requiredOption(
      "--corpus <file>",
      'text to learn the tokenizer from: .jsonl of {"text": ...} lines, or .txt',
    )
    .requiredOption("--out <dir>", "a new (or empty) folder for the model")
    .option("--vocab-size <n>", "most tokens the tokenizer learns (default: the size's)", (v) => {
      const n = Number(v);
      if (!Number.isInteger(n) || n < 257)
        throw new InvalidArgumentError(`must be an integer >= 257, got "${v}"`);
      return n;
    })
    .option("--seed <n>", "seed of the random weights", (v) => Number.parseInt(v, 10), 0)
    .option("--json", "print a JSON summary")
    .action(async (o, cmd: Command) => {
      const out = makeOutput(cmd, o, io);
      const r = await initModel({
        family: o.family,
        size: o.size,
        corpus: o.corpus,
        out: o.out,
        vocabSize: o.vocabSize,
        seed: o.seed,
      });
      const c = r.config;
      if (out.json) {
        out.record({
          out: r.out,
          family: r.family,
          size: o.size,
          layers: c.layers,
          width: c.width,
          heads: c.heads,
          kvHeads: c.kvHeads,
          mlpWidth: c.mlpWidth,
          maxPositions: c.maxPositions,
          vocabSize: r.vocabSize,
          parameters: r.parameters,
          examples: r.examples,
          seconds: r.seconds,
        });
      }
      out.line(
        `wrote ${o.out}: ${r.family} ${o.size}, ${c.layers} layers, d ${c.width}, ${c.heads} heads (${c.kvHeads} KV), ` +
          `MLP ${c.mlpWidth}, ${c.maxPositions} positions, vocab ${r.vocabSize} learnt from ${r.examples} examples; ` +
          `${r.parameters.toLocaleString("en-US")} parameters, random weights`,
      );
      out.info(
        `next: curio sft --model ${o.out} --data ${o.corpus} --trainable full --lr 1e-3 --steps 500 --add-eos --out ${o.out}-sft` +
          `, then set redteam.model: ${o.out}-sft in curio.yaml`,
      );
    });
}
