// The red-team policy section of curio.yaml: which model, what trains, how it samples, what it reads.
import { z } from "zod";

const TRAINABLE_TYPE =
  "full (every weight), lora (low-rank adapters: the paper's instruction setting) or top (the top k blocks: IMDb).";

export const trainableSchema = z
  .discriminatedUnion("type", [
    z.strictObject({ type: z.literal("full").describe(TRAINABLE_TYPE) }).describe("Full fine-tuning."),
    z
      .strictObject({
        type: z.literal("lora").describe(TRAINABLE_TYPE),
        r: z.number().int().positive().default(32).describe("LoRA rank."),
        alpha: z.number().positive().default(16).describe("LoRA scaling numerator (scale = alpha / r)."),
        dropout: z.number().min(0).max(1).default(0).describe("LoRA dropout (0 in the paper)."),
        targets: z
          .array(z.string().min(1))
          .min(1)
          .optional()
          .describe(
            "Modules that receive adapters (peft's target_modules), e.g. c_attn for GPT-2 or q_proj, k_proj, v_proj, o_proj, gate_proj, up_proj, down_proj for Llama / Qwen; default: the family's (c_attn; q_proj + v_proj).",
          ),
      })
      .describe("LoRA adapters; the reference policy is the same network with adapters disabled."),
    z
      .strictObject({
        type: z.literal("top").describe(TRAINABLE_TYPE),
        k: z.number().int().positive().default(2).describe("Number of top blocks to train."),
      })
      .describe("Top-k blocks trainable; the reference keeps a frozen copy of them."),
  ])
  .describe("Which parameters of the red-team model PPO updates.");

export const generationSchema = z
  .strictObject({
    maxNewTokens: z
      .number()
      .int()
      .positive()
      .default(10)
      .describe("Tokens the red team generates per test case (10 in the paper, 20 for LLaMA-2)."),
    temperature: z
      .number()
      .positive()
      .default(0.7)
      .describe("Sampling temperature (2.0 for the rl-temp2 baseline)."),
    topP: z.number().gt(0).max(1).default(0.92).describe("Nucleus sampling mass (1 disables)."),
    topK: z.number().int().min(0).default(0).describe("Top-k sampling (0 disables)."),
    stop: z
      .array(z.string().min(1))
      .default([])
      .describe('Stop sequences that end a test case, e.g. ["\\n"] (instruction tasks).'),
  })
  .describe("How the red-team policy samples test cases.");

export const examplesFileSchema = z
  .strictObject({
    path: z
      .string()
      .min(1)
      .describe("Data file, relative to curio.yaml: .jsonl, .json (array), .csv or .txt (one per line)."),
    field: z
      .string()
      .min(1)
      .optional()
      .describe("Field (JSON) or column (CSV) holding the text, e.g. instruction (Alpaca, Dolly) or text."),
    limit: z.number().int().positive().optional().describe("Read at most this many examples (first rows)."),
  })
  .describe("Examples read from a data file when the run starts (not copied into the run record).");

export const seedPromptsSchema = z
  .strictObject({
    template: z
      .string()
      .default("Ask questions:\n1. {a}\n2. {b}\n3.")
      .describe(
        "Seed instruction z for the red team. Slots {a} {b} {c} ... are filled with random examples; " +
          "continuation tasks use {a} alone (the first words of an example).",
      ),
    examples: z
      .union([
        z.array(z.union([z.string(), z.record(z.string(), z.unknown())])).min(1),
        z.string().min(1),
        examplesFileSchema,
      ])
      .default(["What is the capital of France?", "How do I bake bread?", "Who wrote Hamlet?"])
      .describe(
        "Examples that fill the template: an inline list, a data file path (shorthand for {path}), or {path, field, limit}.",
      ),
    field: z
      .string()
      .min(1)
      .optional()
      .describe("When inline examples are objects: the field holding the text."),
    examplesPerPrompt: z
      .number()
      .int()
      .positive()
      .optional()
      .describe("Examples per seed prompt; default: the number of distinct slots in the template."),
    firstWords: z
      .number()
      .int()
      .positive()
      .nullable()
      .default(null)
      .describe(
        "Continuation tasks: use only the first N words of each example (4 for IMDb); null keeps it whole.",
      ),
    context: z
      .string()
      .nullable()
      .default(null)
      .describe('Zero-shot/few-shot baselines: a context prefixed as "<context>: <seed prompt>".'),
  })
  .describe("Where the red team's seed instructions come from.");

export const redteamSchema = z
  .strictObject({
    model: z
      .string()
      .min(1)
      .default("gpt2")
      .describe(
        "Red-team causal LM: a Hugging Face hub id or a local folder (config.json, model.safetensors, " +
          "tokenizer.json); paths starting with . or / are relative to curio.yaml.",
      ),
    trainable: trainableSchema.prefault({ type: "lora" }),
    valueHead: z
      .strictObject({
        hiddenMultiplier: z
          .number()
          .int()
          .positive()
          .default(2)
          .describe("Value MLP width as a multiple of the model width (d -> m*d -> 1, ReLU)."),
      })
      .prefault({})
      .describe("PPO value head on the last hidden state."),
    generation: generationSchema.prefault({}),
    seedPrompts: seedPromptsSchema.prefault({}),
    chatTemplate: z
      .enum(["auto", "none"])
      .default("auto")
      .describe(
        "auto: when the red-team model ships a chat template (instruction-tuned models), each seed instruction " +
          "becomes its user message and the assistant header follows; none (or a model without one): the " +
          "instruction is plain text.",
      ),
    task: z
      .enum(["instruction", "continuation"])
      .default("instruction")
      .describe(
        "instruction: x alone is the test case (gibberish penalty applies); continuation: z + x is the text (IMDb).",
      ),
  })
  .describe("The red-team policy trained with PPO.");
