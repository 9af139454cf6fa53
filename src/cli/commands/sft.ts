// `curio sft`: supervised fine-tuning of a GPT-2 on a JSONL file ({"text"} or {"ids"} per line).

import cliProgress from "cli-progress";
import { Command, InvalidArgumentError, Option } from "commander";
import { sft } from "../../models/sft.js";
import { parseTrainable } from "../../models/trainable.js";

function positiveInt(name: string) {
  return (v: string) => {
    const n = Number(v);
    if (!Number.isInteger(n) || n < 1)
      throw new InvalidArgumentError(`${name} must be a positive integer, got "${v}"`);
    return n;
  };
}

function positiveNumber(v: string): number {
  const n = Number(v);
  if (!(n > 0)) throw new InvalidArgumentError(`must be a number > 0, got "${v}"`);
  return n;
}

function trainableArg(v: string): string {
  try {
    parseTrainable(v);
  } catch (e) {
    throw new InvalidArgumentError((e as Error).message);
  }
  return v;
}

export function sftCommand(): Command {
  return new Command("sft")
    .description(
      "fine-tune a GPT-2 on JSONL text or token ids (loss: Hugging Face GPT2LMHeadModel, labels = input_ids)",
    )
    .requiredOption(
      "--model <dir|hub-id>",
      "model folder (config.json, model.safetensors, tokenizer.json) or hub id",
    )
    .requiredOption("--data <file.jsonl>", 'training data: one {"text": ...} or {"ids": [...]} per line')
    .requiredOption("--out <dir>", "folder to write the fine-tuned model to (Hugging Face layout)")
    .addOption(new Option("--optimizer <name>", "optimizer").choices(["sgd", "adamw"]).default("adamw"))
    .option("--lr <x>", "learning rate", positiveNumber, 5e-5)
    .option("--steps <n>", "optimizer steps", positiveInt("--steps"), 100)
    .option("--batch-size <n>", "sequences per step", positiveInt("--batch-size"), 8)
    .option(
      "--trainable <mode>",
      "full | lora | lora:R:ALPHA | top:K (last K blocks + ln_f)",
      trainableArg,
      "full",
    )
    .option("--no-shuffle", "take examples in file order instead of a seeded shuffle")
    .option("--add-eos", 'append the end-of-text token to "text" examples')
    .option("--seed <n>", "seed for shuffling and LoRA init", (v) => Number.parseInt(v, 10), 0)
    .option("--threads <n>", "onnxruntime threads", positiveInt("--threads"))
    .option("--json", "print a JSON summary on stdout")
    .action(async (o) => {
      const showBar = process.stderr.isTTY;
      const bar = new cliProgress.SingleBar(
        { format: "sft [{bar}] {value}/{total} steps | loss {loss}", hideCursor: true },
        cliProgress.Presets.shades_classic,
      );
      if (showBar) bar.start(o.steps, 0, { loss: "-" });
      try {
        const result = await sft({
          model: o.model,
          data: o.data,
          out: o.out,
          optimizer: o.optimizer,
          lr: o.lr,
          steps: o.steps,
          batchSize: o.batchSize,
          trainable: o.trainable,
          shuffle: o.shuffle,
          addEos: o.addEos ?? false,
          seed: o.seed,
          threads: o.threads,
          onStep: (step, loss) => {
            if (showBar) bar.update(step, { loss: loss.toFixed(4) });
          },
        });
        if (showBar) bar.stop();
        if (o.json) process.stdout.write(`${JSON.stringify(result)}\n`);
        else {
          process.stdout.write(
            `sft: ${result.steps} steps, loss ${result.losses[0]!.toFixed(4)} -> ${result.finalLoss.toFixed(4)}, ` +
              `${result.trainableParams} trainable params, ${result.seconds.toFixed(1)} s; model written to ${result.out}\n`,
          );
        }
      } catch (e) {
        if (showBar) bar.stop();
        throw e;
      }
    });
}
