// Naturalness from the reference model: N(x) = (1/|x|) sum_t log p_ref(x_t | BOS, x_<t), the mean per-token
// log-likelihood of the test case under the red-team model as it was loaded (before any training). Fluent
// text scores near the model's typical per-token log-likelihood; strings of real words in no sensible order
// ("Which about landlords. entitled do the such such halfwits.") score far lower, which a model-free
// gibberish scorer that checks words one at a time misses. Computed for every method, recorded per sample,
// and a reward term when rewards.naturalness is non-zero (GFlowNet's reward uses the sum, |x| * N(x)).
import { Graph } from "../engine/index.js";
import { DecoderPolicy, type Policy } from "../models/index.js";
import { packBatch } from "../rl/batch.js";
import { tokenLogprobs } from "../rl/index.js";

/** Scores per call of the compiled graph (one shape bucket per call). */
const CHUNK = 64;

export interface NaturalnessScorer {
  /** N(x) per text; null for an empty text (no tokens to score). */
  naturalness(texts: readonly string[]): Promise<(number | null)[]>;
  release(): Promise<void>;
}

/** One graph: log p(label_t) at the response positions [B,R] of a packed (BOS, x) batch. */
function logprobGraph(policy: Policy, b: ReturnType<typeof packBatch>): Graph {
  const g = new Graph();
  const inp = {
    ids: g.input("input_ids", "int64", [b.B, b.T]),
    attentionMask: g.input("attention_mask", "int64", [b.B, b.T]),
    positionIds: g.input("position_ids", "int64", [b.B, b.T]),
  };
  const labels = g.input("labels", "int64", [b.B, b.R]);
  const h = g.slice(policy.hidden(g, inp), [b.P - 1], [b.P - 1 + b.R], [1]); // [B,R,d]
  g.output("logprobs", tokenLogprobs(g, policy.lmHead(g, h), labels)); // [B,R]
  return g;
}

export class ReferenceNaturalness implements NaturalnessScorer {
  private constructor(private readonly policy: Policy) {}

  /** Loads the reference model (inference only). */
  static async load(source: string, opts: { threads?: number } = {}): Promise<ReferenceNaturalness> {
    return new ReferenceNaturalness(
      await DecoderPolicy.load(source, { trainable: { kind: "none" }, threads: opts.threads }),
    );
  }

  async naturalness(texts: readonly string[]): Promise<(number | null)[]> {
    const ids = texts.map((t) => this.policy.tokenizer.encode(t));
    const out: (number | null)[] = texts.map(() => null);
    const scored = ids.map((x, i) => ({ x, i })).filter((r) => r.x.length > 0);
    for (let s = 0; s < scored.length; s += CHUNK) {
      const part = scored.slice(s, s + CHUNK);
      const means = await this.chunk(part.map((r) => r.x));
      part.forEach((r, k) => {
        out[r.i] = means[k]!;
      });
    }
    return out;
  }

  private async chunk(xs: number[][]): Promise<number[]> {
    const bos = this.policy.config.bosTokenId;
    const maxLen = this.policy.config.maxPositions - 1;
    const pairs = xs.map((x) => ({ promptIds: [bos], responseIds: x.slice(0, maxLen) }));
    const b = packBatch(pairs, { padId: this.policy.tokenizer.padId });
    const feeds = {
      input_ids: b.ids,
      attention_mask: b.attentionMask,
      position_ids: b.positionIds,
      labels: b.labels,
    };
    const r = await this.policy.runCached(
      `naturalness:b${b.B}:p${b.P}:r${b.R}`,
      () => logprobGraph(this.policy, b),
      feeds,
    );
    const lp = r.logprobs!.data as Float32Array; // [B,R]
    return pairs.map((p, row) => {
      let sum = 0;
      for (let t = 0; t < p.responseIds.length; t++) sum += lp[row * b.R + t]!;
      return sum / p.responseIds.length;
    });
  }

  async release(): Promise<void> {
    await this.policy.release();
  }
}
