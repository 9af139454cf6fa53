import { readSafeTensors, writeSafeTensors } from "../models/index.js";
import type { KlControllerState } from "./kl-controller.js";
import type { PpoTrainerState } from "./trainer.js";

const FORMAT = "curio-ppo-state";
const VERSION = "1";

/** Writes a PpoTrainer state as safetensors: `param.<name>` and `optim.<key>` tensors, scalars in the metadata. */
export async function saveTrainerState(path: string, s: PpoTrainerState): Promise<void> {
  const tensors: [string, { data: Float32Array; shape: number[] }][] = [];
  for (const [name, data] of Object.entries(s.params))
    tensors.push([`param.${name}`, { data, shape: [data.length] }]);
  const scalars: Record<string, number> = {};
  for (const [k, v] of Object.entries(s.optimizer)) {
    if (typeof v === "number") scalars[k] = v;
    else tensors.push([`optim.${k}`, { data: v, shape: [v.length] }]);
  }
  await writeSafeTensors(path, tensors, {
    format: FORMAT,
    version: VERSION,
    optimizer_scalars: JSON.stringify(scalars),
    kl: JSON.stringify(s.kl),
    rng: String(s.rng),
    optimizer_steps: String(s.optimizerSteps),
    epochs: String(s.epochs),
    param_order: JSON.stringify(Object.keys(s.params)),
  });
}

/** Reads a state written by saveTrainerState (for PpoTrainer.loadState). */
export async function loadTrainerState(path: string): Promise<PpoTrainerState> {
  const { tensors, metadata: m } = await readSafeTensors(path);
  if (m.format !== FORMAT) {
    throw new Error(
      `${path}: not a curio PPO state (metadata format ${JSON.stringify(m.format)}, expected "${FORMAT}")`,
    );
  }
  if (m.version !== VERSION)
    throw new Error(`${path}: PPO state version ${m.version} is not supported (expected ${VERSION})`);
  const f32 = (key: string) => {
    const t = tensors.get(key);
    if (!t || !(t.data instanceof Float32Array)) throw new Error(`${path}: missing float32 tensor "${key}"`);
    return t.data;
  };
  const params: Record<string, Float32Array> = {};
  for (const name of JSON.parse(m.param_order ?? "[]") as string[]) params[name] = f32(`param.${name}`);
  const optimizer: Record<string, Float32Array | number> = JSON.parse(m.optimizer_scalars ?? "{}");
  for (const key of tensors.keys()) if (key.startsWith("optim.")) optimizer[key.slice(6)] = f32(key);
  return {
    version: 1,
    params,
    optimizer,
    kl: JSON.parse(m.kl ?? "null") as KlControllerState,
    rng: Number(m.rng),
    optimizerSteps: Number(m.optimizer_steps),
    epochs: Number(m.epochs),
  };
}
