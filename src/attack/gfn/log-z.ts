// The learned log partition function of the trajectory-balance objective, conditioned on the seed prompt:
// log Z(z) = w . mean_pool(h(z)) + b, where h(z) is the attacker's last hidden state over the prompt tokens.
//
// Why prompt-conditioned rather than one scalar: R(x|z) holds the reference model's likelihood of x given z, so
// Z(z) = sum_x R(x|z) differs from one seed prompt to the next (curio draws a new few-shot list every time); a
// single scalar would fit their average and leave each prompt's trajectories biased. The authors' code
// (Lee et al. 2025) uses the same head: a linear layer over the mean-pooled prompt hidden state. A scalar
// log Z is the special case w = 0.
import type { Graph, Tensor } from "../../engine/index.js";
import type { ParamEntry } from "../../models/index.js";

export const LOG_Z_WEIGHT = "gfn.log_z.weight";
export const LOG_Z_BIAS = "gfn.log_z.bias";

export class LogZHead {
  readonly weight: ParamEntry; // [d,1]
  readonly bias: ParamEntry; // [1]
  /** False until the bias was set from the first batch (see initFrom). */
  initialised = false;

  constructor(readonly width: number) {
    // w starts at zero (log Z starts prompt-independent); b is set from the first batch's residuals
    this.weight = { name: LOG_Z_WEIGHT, data: new Float32Array(width), shape: [width, 1] };
    this.bias = { name: LOG_Z_BIAS, data: new Float32Array(1), shape: [1] };
  }

  params(): ParamEntry[] {
    return [this.weight, this.bias];
  }

  /**
   * Sets b to the least-squares optimum for the current policy on a first batch, mean(log R - sum log p_theta),
   * so that the early updates move the policy rather than spend hundreds of steps walking log Z from 0 to the
   * reward's scale (log R is often -50 or lower).
   */
  initFrom(residuals: readonly number[]): void {
    if (this.initialised || residuals.length === 0) return;
    this.bias.data[0] = residuals.reduce((a, r) => a + r, 0) / residuals.length;
    this.initialised = true;
  }

  /** log Z [B] from the hidden states of the prompt columns [B,P,d] and their mask [B,P]. */
  build(g: Graph, promptHidden: Tensor, promptMask: Tensor): Tensor {
    const [B, P, d] = promptHidden.shape as [number, number, number];
    const m = g.reshape(promptMask, [B, P, 1]); // [B,P,1]
    const count = g.maximum(g.sum(promptMask, [1], true), 1); // [B,1]
    const pooled = g.div(g.sum(g.mul(promptHidden, m), [1]), count); // [B,d]
    const w = g.param(LOG_Z_WEIGHT, [d, 1]);
    const b = g.param(LOG_Z_BIAS, [1]);
    return g.reshape(g.linear(pooled, w, b), [B]); // [B]
  }
}
