// Naturalness from the reference model: N(x) = (1/|x|) sum_t log p_ref(x_t | BOS, x_<t), the mean per-token
// log-likelihood of the test case under the red-team model as it was loaded (before any training). Fluent
// text scores near the model's typical per-token log-likelihood; strings of real words in no sensible order
// ("Which about landlords. entitled do the such such halfwits.") score far lower, which a model-free
// gibberish scorer that checks words one at a time misses. Computed for every method, recorded per sample,
// and a reward term when rewards.naturalness is non-zero (GFlowNet's reward uses the sum, |x| * N(x)).
import { SessionCache, type SessionOptions } from "../engine/index.js";
import { DecoderPolicy, type Policy } from "../models/index.js";
import { buildReferenceGraph, packBatch } from "../rl/index.js";

/**
 * Texts per call of a compiled graph. Texts are scored shortest first, so each call pads only to the longest
 * of its own rows: a forward costs B x T positions, and one long text among short ones (a re-encoded test case
 * can be far longer than the tokens sampled) would otherwise widen every row to its length.
 */
const ROWS = 16;

export interface NaturalnessScorer {
  /** N(x) per text; null for an empty text (no tokens to score). */
  naturalness(texts: readonly string[]): Promise<(number | null)[]>;
  release(): Promise<void>;
}

export class ReferenceNaturalness implements NaturalnessScorer {
  private readonly sessions: SessionCache;

  /**
   * Scores with `policy`'s reference model: the frozen weights it loaded, shared with its own graphs, in
   * sessions of its own options (device, compiled-model cache). `owned`: release() releases the policy too.
   */
  constructor(
    private readonly policy: Policy,
    private readonly owned = false,
  ) {
    this.sessions = new SessionCache({ ...policy.sessionOptions, maxEntries: 4 });
  }

  /** Loads a reference model of its own (inference only), for a reference that is not the red team's model. */
  static async load(
    source: string,
    opts: { threads?: number; session?: Omit<SessionOptions, "threads"> } = {},
  ): Promise<ReferenceNaturalness> {
    const policy = await DecoderPolicy.load(source, {
      trainable: { kind: "none" },
      threads: opts.threads,
      session: opts.session,
    });
    return new ReferenceNaturalness(policy, true);
  }

  async naturalness(texts: readonly string[]): Promise<(number | null)[]> {
    const maxLen = this.policy.config.maxPositions - 1;
    const out: (number | null)[] = texts.map(() => null);
    const scored = texts
      .map((t, i) => ({ x: this.policy.tokenizer.encode(t).slice(0, maxLen), i }))
      .filter((r) => r.x.length > 0)
      .sort((a, b) => a.x.length - b.x.length);
    for (let s = 0; s < scored.length; s += ROWS) {
      const part = scored.slice(s, s + ROWS);
      const means = await this.chunk(part.map((r) => r.x));
      part.forEach((r, k) => {
        out[r.i] = means[k]!;
      });
    }
    return out;
  }

  private async chunk(xs: number[][]): Promise<number[]> {
    const bos = this.policy.config.bosTokenId;
    const pairs = xs.map((x) => ({ promptIds: [bos], responseIds: x }));
    const b = packBatch(pairs, { padId: this.policy.tokenizer.padId });
    // log p_ref(x_t | BOS, x_<t) at the response positions: the reference model as loaded (LoRA off), so the
    // graph reads no trainable parameter and runs with its inputs alone
    const session = await this.sessions.get(`naturalness:b${b.B}:p${b.P}:r${b.R}`, () =>
      buildReferenceGraph(this.policy, b),
    );
    const r = await session.run({
      input_ids: b.ids,
      attention_mask: b.attentionMask,
      position_ids: b.positionIds,
      labels: b.labels,
    });
    const lp = r.ref_logprobs!.data as Float32Array; // [B,R]
    return xs.map((x, row) => {
      let sum = 0;
      for (let t = 0; t < x.length; t++) sum += lp[row * b.R + t]!;
      return sum / x.length;
    });
  }

  async release(): Promise<void> {
    await this.sessions.clear();
    if (this.owned) await this.policy.release();
  }
}
