import { Graph, gradients, type Tensor } from "../engine/index.js";
import type { Policy } from "../models/index.js";
import type { PackedBatch } from "./batch.js";
import { type PpoLossConfig, ppoLoss, ppoStatNames, tokenLogprobs } from "./ppo-loss.js";

// The two compiled PPO graphs over a packed [B, T] batch (see batch.ts). Feeds: input_ids, attention_mask,
// position_ids [B,T] int64, labels [B,R] int64 (the response ids), plus every policy param by name.

/** The [B, T] shape of a packed batch, all that its graphs need. */
export type PackedShape = Pick<PackedBatch, "B" | "P" | "R" | "T">;

export function modelInputs(g: Graph, b: PackedShape) {
  return {
    ids: g.input("input_ids", "int64", [b.B, b.T]),
    attentionMask: g.input("attention_mask", "int64", [b.B, b.T]),
    positionIds: g.input("position_ids", "int64", [b.B, b.T]),
  };
}

/** hidden [B,T,d] -> response positions [B,R,d]: position P-1+t predicts response token t (and holds V(s_t)). */
function responseHidden(g: Graph, h: Tensor, b: PackedShape): Tensor {
  return g.slice(h, [b.P - 1], [b.P - 1 + b.R], [1]);
}

/** Outputs logprobs, ref_logprobs, values [B,R]: one forward of the policy and one of the reference
 *  (the loaded model: LoRA off, or the trained tensors' loaded values as initializers). */
export function buildExperienceGraph(policy: Policy, b: PackedBatch): Graph {
  const g = new Graph();
  const inp = modelInputs(g, b);
  const labels = g.input("labels", "int64", [b.B, b.R]);
  const h = responseHidden(g, policy.hidden(g, inp), b); // [B,R,d]
  g.output("logprobs", tokenLogprobs(g, policy.lmHead(g, h), labels)); // [B,R]
  g.output("values", policy.valueHead(g, h)); // [B,R]
  outputReference(g, policy, b, inp, labels);
  return g;
}

/** Outputs ref_logprobs [B,R]: the reference forward alone (PPO rollouts whose policy log-probs and values came
 *  from generation, whose decoding graphs return both; GFlowNet's reference likelihood). */
export function buildReferenceGraph(policy: Policy, b: PackedShape): Graph {
  const g = new Graph();
  const inp = modelInputs(g, b);
  outputReference(g, policy, b, inp, g.input("labels", "int64", [b.B, b.R]));
  return g;
}

/** ref_logprobs [B,R]: the reference policy's log-probs of the response tokens. */
function outputReference(
  g: Graph,
  policy: Policy,
  b: PackedShape,
  inp: ReturnType<typeof modelInputs>,
  labels: Tensor,
): void {
  const hRef = responseHidden(g, policy.hidden(g, { ...inp, reference: true }), b); // [B,R,d]
  g.output("ref_logprobs", tokenLogprobs(g, policy.lmHead(g, hRef, { reference: true }), labels)); // [B,R]
}

/** Extra feeds old_logprobs, old_values, advantages, returns, mask [B,R] float32, and the loss's
 *  denominators token_count, entry_count [] float32 (the whole minibatch's, so that a micro-batch's outputs
 *  are its share of the minibatch's: see ppoLoss). Outputs the PPO stats (ppoStatNames) and
 *  grad_<i> = d loss / d params[i]. */
export function buildTrainGraph(
  policy: Policy,
  b: PackedBatch,
  params: readonly { name: string }[],
  lossConfig: PpoLossConfig,
): Graph {
  const g = new Graph();
  const inp = modelInputs(g, b);
  const labels = g.input("labels", "int64", [b.B, b.R]);
  const f = (name: string) => g.input(name, "float32", [b.B, b.R]);
  const h = responseHidden(g, policy.hidden(g, inp), b); // [B,R,d]
  const logprobs = tokenLogprobs(g, policy.lmHead(g, h), labels); // [B,R]
  const values = policy.valueHead(g, h); // [B,R]
  const out = ppoLoss(
    g,
    {
      logprobs,
      values,
      oldLogprobs: f("old_logprobs"),
      oldValues: f("old_values"),
      advantages: f("advantages"),
      returns: f("returns"),
      mask: f("mask"),
      tokenCount: g.input("token_count", "float32", []),
      entryCount: g.input("entry_count", "float32", []),
    },
    lossConfig,
  );
  for (const k of ppoStatNames) g.output(k, out[k]);
  const byName = new Map<string, Tensor>();
  for (const n of g.nodes) if (n.op === "param" && n.attrs.name) byName.set(n.attrs.name, n.outputs[0]!);
  const wrt = params.map((p) => {
    const t = byName.get(p.name);
    if (!t) throw new Error(`PPO: policy parameter "${p.name}" is not used by the training graph`);
    return t;
  });
  gradients(out.loss, wrt).forEach((t, i) => {
    g.output(`grad_${i}`, t);
  });
  return g;
}
