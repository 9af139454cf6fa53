// Shared base of the transformers.js adapters: resolve a folder (local, or a hub id downloaded once by the
// model resolver), point transformers.js at it with remote loading off, and load tokenizer + model.
// transformers.js keeps its settings in a module-level `env`; it is set right before each load.
import { resolve } from "node:path";
import { z } from "zod";

export const hfOptionShape = {
  dtype: z
    .enum(["fp32", "fp16", "q8", "int8", "uint8", "q4"])
    .default("fp32")
    .describe("Which ONNX file to load: fp32 = onnx/model.onnx, q8 = onnx/model_quantized.onnx, ..."),
  cacheDir: z
    .string()
    .optional()
    .describe("Model cache for hub ids (default CURIO_CACHE_DIR or ~/.cache/curio/models)."),
  offline: z.boolean().optional().describe("Never download (default: CURIO_OFFLINE / HF_HUB_OFFLINE)."),
  threads: z.number().int().min(1).optional().describe("onnxruntime intra-op threads."),
  batchSize: z.number().int().min(1).default(16).describe("Texts per forward pass."),
};

export type HfOptions = z.output<z.ZodObject<typeof hfOptionShape>>;

const ONNX_FILE: Record<HfOptions["dtype"], string> = {
  fp32: "model.onnx",
  fp16: "model_fp16.onnx",
  q8: "model_quantized.onnx",
  int8: "model_int8.onnx",
  uint8: "model_uint8.onnx",
  q4: "model_q4.onnx",
};

export type TransformersLib = typeof import("@huggingface/transformers");

/** Resolves `source` to a folder holding the files transformers.js needs, and loads the library for it. */
export async function openHfModel(source: string, opts: HfOptions, env?: Record<string, string | undefined>) {
  // Loaded on demand, so creating an HTTP provider does not load the model stack.
  const { resolveModel } = await import("../../models/index.js");
  const folder = resolve(
    await resolveModel(source, {
      files: ["config.json", "tokenizer.json", "tokenizer_config.json", `onnx/${ONNX_FILE[opts.dtype]}`],
      optionalFiles: ["special_tokens_map.json", "generation_config.json"],
      cacheDir: opts.cacheDir,
      offline: opts.offline,
      env,
    }),
  );
  const lib: TransformersLib = await import("@huggingface/transformers");
  lib.env.allowRemoteModels = false;
  lib.env.allowLocalModels = true;
  lib.env.localModelPath = folder;
  // An absolute path is not a hub id, so transformers.js reads the files from it directly.
  const loadOptions = {
    dtype: opts.dtype,
    local_files_only: true,
    session_options: opts.threads ? { intraOpNumThreads: opts.threads } : undefined,
  };
  return { folder, lib, loadOptions };
}

export function softmax(row: ArrayLike<number>): number[] {
  let max = -Infinity;
  for (let i = 0; i < row.length; i++) max = Math.max(max, row[i]);
  const exps = Array.from(row, (x) => Math.exp(x - max));
  const sum = exps.reduce((a, b) => a + b, 0);
  return exps.map((e) => e / sum);
}

export interface SequenceClassifier {
  /** Label names by class index (config.id2label). */
  labels: string[];
  /** Softmax over all labels, [texts][labels]. */
  probabilities(texts: string[]): Promise<number[][]>;
  close(): Promise<void>;
}

/** A text classifier (AutoModelForSequenceClassification) run in batches, softmax over all labels. */
export async function loadSequenceClassifier(
  source: string,
  opts: HfOptions,
  env?: Record<string, string | undefined>,
): Promise<SequenceClassifier> {
  const { folder, lib, loadOptions } = await openHfModel(source, opts, env);
  const tokenizer = await lib.AutoTokenizer.from_pretrained(folder, { local_files_only: true });
  const model = await lib.AutoModelForSequenceClassification.from_pretrained(folder, loadOptions);
  const id2label = (model.config as { id2label?: Record<string, string> }).id2label;
  if (!id2label || Object.keys(id2label).length === 0) {
    throw new Error(`${folder}/config.json has no id2label; a text classifier needs its label names there`);
  }
  const labels = Object.keys(id2label)
    .sort((a, b) => Number(a) - Number(b))
    .map((k) => id2label[k]);
  return {
    labels,
    async probabilities(texts) {
      const out: number[][] = [];
      for (let i = 0; i < texts.length; i += opts.batchSize) {
        const batch = texts.slice(i, i + opts.batchSize);
        const inputs = tokenizer(batch, { padding: true, truncation: true });
        const { logits } = (await model(inputs)) as { logits: { data: Float32Array; dims: number[] } };
        const [rows, cols] = logits.dims; // [B, labels]
        if (cols !== labels.length) {
          throw new Error(
            `${folder}: model returns ${cols} logits but config.json id2label has ${labels.length} labels`,
          );
        }
        for (let r = 0; r < rows; r++) out.push(softmax(logits.data.subarray(r * cols, (r + 1) * cols)));
      }
      return out;
    },
    close: async () => {
      await model.dispose();
    },
  };
}

/** Finds a label by name, case-insensitively; the error lists the model's labels. */
export function labelIndex(labels: string[], name: string, where: string, option: string): number {
  const i = labels.findIndex((l) => l.toLowerCase() === name.toLowerCase());
  if (i < 0)
    throw new Error(`${where}: ${option} "${name}" is not one of the model's labels: ${labels.join(", ")}`);
  return i;
}
