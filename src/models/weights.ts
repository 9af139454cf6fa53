// GPT-2 weights: canonical names (without the `transformer.` prefix), shape checks against the config,
// and both Hugging Face layouts on read (`save_pretrained` writes `transformer.*`; the hub's gpt2 file does not).
import type { Gpt2Config } from "./config.js";
import { readSafeTensors, type SafeTensor } from "./safetensors.js";

export type Gpt2Weights = Map<string, Float32Array>;

/** Every weight of a GPT-2 with its expected shape, in the order save() writes them. */
export function gpt2WeightShapes(cfg: Gpt2Config): Map<string, number[]> {
  const d = cfg.nEmbd;
  const shapes = new Map<string, number[]>([
    ["wte.weight", [cfg.vocabSize, d]],
    ["wpe.weight", [cfg.nPositions, d]],
  ]);
  for (let i = 0; i < cfg.nLayer; i++) {
    const p = `h.${i}.`;
    shapes.set(`${p}ln_1.weight`, [d]);
    shapes.set(`${p}ln_1.bias`, [d]);
    shapes.set(`${p}attn.c_attn.weight`, [d, 3 * d]);
    shapes.set(`${p}attn.c_attn.bias`, [3 * d]);
    shapes.set(`${p}attn.c_proj.weight`, [d, d]);
    shapes.set(`${p}attn.c_proj.bias`, [d]);
    shapes.set(`${p}ln_2.weight`, [d]);
    shapes.set(`${p}ln_2.bias`, [d]);
    shapes.set(`${p}mlp.c_fc.weight`, [d, 4 * d]);
    shapes.set(`${p}mlp.c_fc.bias`, [4 * d]);
    shapes.set(`${p}mlp.c_proj.weight`, [4 * d, d]);
    shapes.set(`${p}mlp.c_proj.bias`, [d]);
  }
  shapes.set("ln_f.weight", [d]);
  shapes.set("ln_f.bias", [d]);
  return shapes;
}

const IGNORED = /^h\.\d+\.attn\.(bias|masked_bias)$/;

/** Maps a file's tensors to canonical names and checks them against the config. */
export function gpt2WeightsFromTensors(
  tensors: Map<string, SafeTensor>,
  cfg: Gpt2Config,
  file: string,
): Gpt2Weights {
  const expected = gpt2WeightShapes(cfg);
  const out: Gpt2Weights = new Map();
  let lmHead: SafeTensor | undefined;
  for (const [rawName, t] of tensors) {
    const name = rawName.startsWith("transformer.") ? rawName.slice("transformer.".length) : rawName;
    if (IGNORED.test(name)) continue; // causal-mask buffers of old checkpoints
    if (name === "lm_head.weight") {
      lmHead = t;
      continue;
    }
    const shape = expected.get(name);
    if (!shape) {
      throw new Error(
        `${file}: unexpected tensor "${rawName}" for a GPT-2 with ${cfg.nLayer} layers ` +
          "(expected names like transformer.h.0.attn.c_attn.weight or h.0.attn.c_attn.weight)",
      );
    }
    if (!(t.data instanceof Float32Array)) {
      throw new Error(
        `${file}: tensor "${rawName}" has dtype ${t.dtype}; expected a float type (F32/F16/BF16)`,
      );
    }
    if (shape.length !== t.shape.length || shape.some((s, i) => s !== t.shape[i])) {
      throw new Error(
        `${file}: tensor "${rawName}" has shape [${t.shape}] but config.json implies [${shape}] ` +
          "(does config.json belong to these weights?)",
      );
    }
    out.set(name, t.data);
  }
  const missing = [...expected.keys()].filter((n) => !out.has(n));
  if (missing.length > 0) {
    throw new Error(
      `${file}: missing ${missing.length} GPT-2 tensor(s): ${missing.slice(0, 5).join(", ")}` +
        `${missing.length > 5 ? ", ..." : ""}`,
    );
  }
  if (lmHead) {
    const wte = out.get("wte.weight")!;
    const same =
      lmHead.data instanceof Float32Array &&
      lmHead.data.length === wte.length &&
      lmHead.data.every((v, i) => v === wte[i]);
    if (!same) {
      throw new Error(
        `${file}: lm_head.weight differs from the token embedding (wte); curio supports GPT-2 with tied ` +
          "embeddings only",
      );
    }
  }
  return out;
}

export async function loadGpt2Weights(file: string, cfg: Gpt2Config): Promise<Gpt2Weights> {
  const { tensors } = await readSafeTensors(file);
  return gpt2WeightsFromTensors(tensors, cfg, file);
}
