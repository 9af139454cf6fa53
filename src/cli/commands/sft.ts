// `curio sft`: supervised fine-tuning of a causal LM of any supported family on a JSONL file ({"text"} or
// {"ids"} per line); writes the model (Hugging Face layout) and/or the LoRA adapters as a PEFT adapter folder.

import cliProgress from "cli-progress";
import { Command, InvalidArgumentError, Option } from "commander";
import { sft } from "../../models/sft.js";
import { parseTrainable } from "../../models/trainable.js";
import { positiveNumber } from "../args.js";
import { deviceOption, requireDevice } from "../device.js";

function positiveInt(name: string) {
  return (v: string) => {
    const n = Number(v);
    if (!Number.isInteger(n) || n < 1)
      throw new InvalidArgumentError(`${name} must be a positive integer, got "${v}"`);
    return n;
  };
}

function listArg(v: string): string[] {
  const items = v
    .split(",")
    .map((x) => x.trim())
    .filter((x) => x.length > 0);
  if (items.length === 0) throw new InvalidArgumentError(`expected comma-separated module names, got "${v}"`);
  return items;
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
      "fine-tune a causal LM (GPT-2, Llama, Mistral, Qwen2, Qwen3) on JSONL text or token ids (loss: transformers' causal-LM loss, labels = input_ids)",
    )
    .requiredOption(
      "--model <dir|hub-id>",
      "model folder (config.json, model.safetensors, tokenizer.json) or hub id",
    )
    .requiredOption("--data <file.jsonl>", 'training data: one {"text": ...} or {"ids": [...]} per line')
    .option("--out <dir>", "folder to write the fine-tuned model to (Hugging Face layout; LoRA merged in)")
    .option(
      "--peft-out <dir>",
      "folder to write the LoRA adapters to as a PEFT adapter (with --trainable lora)",
    )
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
    .option(
      "--lora-targets <names>",
      "comma-separated modules LoRA adapts, e.g. q_proj,k_proj,v_proj,o_proj (default: the family's, c_attn or q_proj,v_proj)",
      listArg,
    )
    .option(
      "--adapter <dir>",
      "a PEFT LoRA adapter to start from (merged in, or trained further with --trainable lora)",
    )
    .option("--no-shuffle", "take examples in file order instead of a seeded shuffle")
    .option("--add-eos", 'append the end-of-text token to "text" examples')
    .option("--seed <n>", "seed for shuffling and LoRA init", (v) => Number.parseInt(v, 10), 0)
    .option("--threads <n>", "onnxruntime threads", positiveInt("--threads"))
    .addOption(deviceOption("default cpu").default("cpu"))
    .option("--json", "print a JSON summary on stdout")
    .action(async (o) => {
      requireDevice(o.device);
      if (!o.out && !o.peftOut)
        throw new InvalidArgumentError("give --out DIR (the model) and/or --peft-out DIR (a PEFT adapter)");
      const trainable = parseTrainable(o.trainable);
      if (o.loraTargets) {
        if (trainable.kind !== "lora")
          throw new InvalidArgumentError("--lora-targets needs --trainable lora");
        trainable.targets = o.loraTargets;
      }
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
          peftOut: o.peftOut,
          adapter: o.adapter,
          optimizer: o.optimizer,
          lr: o.lr,
          steps: o.steps,
          batchSize: o.batchSize,
          trainable,
          shuffle: o.shuffle,
          addEos: o.addEos ?? false,
          seed: o.seed,
          threads: o.threads,
          device: o.device,
          onStep: (step, loss) => {
            if (showBar) bar.update(step, { loss: loss.toFixed(4) });
          },
          onWarning: (m) => process.stderr.write(`warning: ${m}\n`),
        });
        if (showBar) bar.stop();
        if (o.json) process.stdout.write(`${JSON.stringify(result)}\n`);
        else {
          process.stdout.write(
            `sft: ${result.steps} steps, loss ${result.losses[0]!.toFixed(4)} -> ${result.finalLoss.toFixed(4)}, ` +
              `${result.trainableParams} trainable params, ${result.seconds.toFixed(1)} s; ` +
              [
                result.out && `model written to ${result.out}`,
                result.peftOut && `PEFT adapter written to ${result.peftOut}`,
              ]
                .filter(Boolean)
                .join(", ") +
              "\n",
          );
        }
      } catch (e) {
        if (showBar) bar.stop();
        throw e;
      }
    });
}
