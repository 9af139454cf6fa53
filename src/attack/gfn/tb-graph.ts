// The two compiled graphs of GFlowNet fine-tuning over a packed [B, T] batch (rl/batch.ts: left-padded seed
// prompt in P columns, right-padded test case x in R columns):
//  - the trajectory-balance loss  sum_b w_b (log Z(z_b) + sum_t log p_theta(x_t | z_b, x_<t) - log R_b)^2,
//    its per-row terms and its gradient with respect to the policy's trainable tensors and the log Z head;
//  - the reference model's per-token log-probs of x (for log p_ref(x|z) in the reward).
// Feeds: input_ids, attention_mask, position_ids [B,T] int64, labels [B,R] int64 (x's ids), mask [B,R] float
// (1 on x's tokens), plus, for the loss, prompt_mask [B,P], log_reward [B] and row_weight [B] (1/n on the n rows
// of the batch mean, 0 on bucket filler rows), and every trainable tensor by name.
import { Graph, gradients, type Tensor } from "../../engine/index.js";
import type { Policy } from "../../models/index.js";
import { modelInputs, type PackedBatch, type PackedShape, tokenLogprobs } from "../../rl/index.js";
import type { LogZHead } from "./log-z.js";

/** The names of the loss graph's per-row outputs, [B] each. */
export const TB_ROW_OUTPUTS = ["log_z", "sum_logpf"] as const;

/** Outputs loss [], log_z [B], sum_logpf [B] and grad.<name> for every policy param and log Z param. */
export function buildTbGraph(policy: Policy, b: PackedShape, logZ: LogZHead): Graph {
  const g = new Graph();
  const inp = modelInputs(g, b);
  const labels = g.input("labels", "int64", [b.B, b.R]);
  const mask = g.input("mask", g.floatType, [b.B, b.R]);
  const promptMask = g.input("prompt_mask", g.floatType, [b.B, b.P]);
  const logReward = g.input("log_reward", g.floatType, [b.B]);
  const rowWeight = g.input("row_weight", g.floatType, [b.B]);

  const h = policy.hidden(g, inp); // [B,T,d]
  // column P-1+t predicts x_t
  const hx = g.slice(h, [b.P - 1], [b.P - 1 + b.R], [1]); // [B,R,d]
  const logpf = tokenLogprobs(g, policy.lmHead(g, hx), labels); // [B,R]
  const sumLogpf = g.sum(g.mul(logpf, mask), [1]); // [B]
  const logZValue = logZ.build(g, g.slice(h, [0], [b.P], [1]), promptMask); // [B]

  const delta = g.sub(g.add(logZValue, sumLogpf), logReward); // [B]
  const loss = g.sum(g.mul(g.mul(delta, delta), rowWeight), [0]); // []
  g.output("loss", loss);
  g.output("log_z", logZValue);
  g.output("sum_logpf", sumLogpf);

  const wrt: Tensor[] = [...policy.paramTensors(g), ...paramLeaves(g, logZ)];
  const names = [...policy.params(), ...logZ.params()].map((p) => p.name);
  gradients(loss, wrt).forEach((t, i) => {
    g.output(`grad.${names[i]}`, t);
  });
  return g;
}

function paramLeaves(g: Graph, logZ: LogZHead): Tensor[] {
  const byName = new Map<string, Tensor>();
  for (const n of g.nodes) if (n.op === "param" && n.attrs.name) byName.set(n.attrs.name, n.outputs[0]!);
  return logZ.params().map((p) => byName.get(p.name)!);
}

/** prompt_mask [B,P] float: 1 on the prompt's real tokens (its columns of the attention mask). */
export function promptMask(b: PackedBatch): Float32Array {
  const out = new Float32Array(b.B * b.P);
  for (let r = 0; r < b.B; r++)
    for (let t = 0; t < b.P; t++) out[r * b.P + t] = Number(b.attentionMask[r * b.T + t]);
  return out;
}
