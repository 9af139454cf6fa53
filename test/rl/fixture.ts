import { readFileSync } from "node:fs";

/** The PyTorch reference written by scripts/fixtures/ppo_reference.py. */
export interface PpoFixture {
  loss: {
    B: number;
    R: number;
    V: number;
    cliprange: number;
    cliprange_value: number;
    vf_coef: number;
    logits: number[];
    labels: number[];
    values: number[];
    old_logprobs: number[];
    old_values: number[];
    advantages: number[];
    returns: number[];
    mask: number[];
    logprobs: number[];
    stats: Record<string, number>;
    grad_logits: number[];
    grad_values: number[];
  };
  gae: {
    B: number;
    R: number;
    gamma: number;
    lam: number;
    lengths: number[];
    rewards: number[];
    values: number[];
    mask: number[];
    advantages: number[];
    returns: number[];
    whitened_valid: number[];
    whitened_padded: number[];
    whitened_valid_no_shift: number[];
  };
  rewards: {
    beta: number;
    lambda_e: number;
    samples: { logp: number[]; ref: number[]; score: number; rewards: number[]; rewards_quirk: number[] }[];
  };
}

export function loadPpoFixture(): PpoFixture {
  return JSON.parse(readFileSync(new URL("./fixtures/ppo_loss.json", import.meta.url), "utf8")) as PpoFixture;
}

export { assertClose } from "../models/helpers.js";
