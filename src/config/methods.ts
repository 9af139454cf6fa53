// What each method changes relative to the CRT defaults (crt-spec "Baselines"). Applied under the
// user's own keys, so `method: rl` in curio.yaml works and explicit keys still win.
import type { CurioConfigInput, Method } from "./schema.js";

const rl: CurioConfigInput = { rewards: { selfBleu: 0, cosine: 0, entropy: 0 } } as CurioConfigInput;

export const methodDefaults: Record<Method, Partial<CurioConfigInput>> = {
  crt: {},
  rl,
  "rl-tdiv": { rewards: { selfBleu: 0, cosine: 0, entropy: 0, tdiv: -5 } },
  "rl-temp2": {
    rewards: { selfBleu: 0, cosine: 0, entropy: 0 },
    redteam: { generation: { temperature: 2 } },
  },
  // Prompted baselines do not train: reward coefficients only affect the logged breakdown.
  "zero-shot": { rewards: { selfBleu: 0, cosine: 0, entropy: 0 } },
  "few-shot": { rewards: { selfBleu: 0, cosine: 0, entropy: 0 } },
};

/** Methods that update the red-team policy with PPO (the others only sample from it). */
export function methodTrains(method: Method): boolean {
  return method !== "zero-shot" && method !== "few-shot";
}
