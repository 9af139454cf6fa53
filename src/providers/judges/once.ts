// Judge only what is new: a wrapper that asks its judge once per distinct input. Within a batch, identical
// inputs are scored by one call; across batches, a verdict already given in the run is reused. What counts
// as the input is what the judge reads (Judge.reads): the answer alone for a classifier of responses, the
// (prompt, answer) pair otherwise. Each reused verdict names the sample whose call produced it, so the call
// is recorded once. Errors are never reused across batches (the next batch asks again).
//
// The memory holds at most `maxEntries` verdicts, dropping the oldest first (insertion order = sample
// order), so replaying a run's stored samples in index order (`remember`) rebuilds exactly the memory an
// uninterrupted run had: that is how a resumed run reuses the same verdicts.
import { createHash } from "node:crypto";
import type { Judge, JudgeResult, TargetCallOptions } from "../types.js";

export interface OnceResult extends JudgeResult {
  /** Set when this verdict was not asked for: the index of the sample whose call gave it. */
  reusedFrom?: number;
}

interface Remembered {
  score: number;
  label?: string;
  reason?: string;
  /** The sample whose call produced the verdict. */
  index: number;
}

export const DEFAULT_MEMORY = 100_000;

export class JudgeOnce {
  private readonly memory = new Map<string, Remembered>();
  /** Verdicts asked for, and calls made to the judge. */
  readonly stats = { asked: 0, called: 0 };

  constructor(
    readonly judge: Judge,
    private readonly maxEntries = DEFAULT_MEMORY,
  ) {
    if (!Number.isInteger(maxEntries) || maxEntries < 0) {
      throw new Error(`judge memory size must be a non-negative integer, got ${maxEntries}`);
    }
  }

  get id(): string {
    return this.judge.id;
  }

  /** The memory key of one judge input. */
  key(prompt: string, response: string): string {
    const h = createHash("sha256");
    if (this.judge.reads === "response") h.update("r\0").update(response);
    else h.update("p\0").update(prompt).update("\0").update(response);
    return h.digest("base64");
  }

  /** Scores a batch; `indices` are the samples' indices in the run (they name the call a verdict came from). */
  async score(
    prompts: readonly string[],
    responses: readonly string[],
    indices: readonly number[],
    opts?: TargetCallOptions,
  ): Promise<OnceResult[]> {
    if (prompts.length !== responses.length || indices.length !== responses.length) {
      throw new Error(
        `JudgeOnce: ${prompts.length} prompts, ${responses.length} answers and ${indices.length} indices; give one each`,
      );
    }
    this.stats.asked += responses.length;
    const keys = responses.map((r, i) => this.key(prompts[i] ?? "", r));
    const firstInBatch = new Map<string, number>(); // key -> position of the first occurrence to be asked
    const ask: number[] = [];
    keys.forEach((k, i) => {
      if (this.memory.has(k) || firstInBatch.has(k)) return;
      firstInBatch.set(k, i);
      ask.push(i);
    });
    const asked =
      ask.length === 0
        ? []
        : await this.judge.score(
            ask.map((i) => prompts[i] ?? ""),
            ask.map((i) => responses[i]!),
            opts,
          );
    this.stats.called += ask.length;
    const fresh = new Map<number, JudgeResult>(ask.map((pos, j) => [pos, asked[j] ?? missing()]));
    const out = keys.map((k, i): OnceResult => {
      const own = fresh.get(i);
      if (own) return own;
      const known = this.memory.get(k);
      if (known) return reused(known, known.index);
      const first = firstInBatch.get(k)!;
      return { ...fresh.get(first)!, latencyMs: 0, reusedFrom: indices[first]! };
    });
    for (const i of ask) this.remember(keys[i]!, out[i]!, indices[i]!);
    return out;
  }

  /**
   * Records a verdict given by the call of sample `index` (usable verdicts only). Called by `score`, and by
   * a resume that replays the run's stored samples in index order.
   */
  remember(key: string, result: JudgeResult, index: number): void {
    if (result.error || !Number.isFinite(result.score) || this.maxEntries === 0 || this.memory.has(key))
      return;
    this.memory.set(key, { score: result.score, label: result.label, reason: result.reason, index });
    if (this.memory.size > this.maxEntries) this.memory.delete(this.memory.keys().next().value!);
  }

  get size(): number {
    return this.memory.size;
  }

  close(): Promise<void> | undefined {
    return this.judge.close?.();
  }
}

function reused(r: Remembered, from: number): OnceResult {
  const out: OnceResult = { score: r.score, latencyMs: 0, reusedFrom: from };
  if (r.label !== undefined) out.label = r.label;
  if (r.reason !== undefined) out.reason = r.reason;
  return out;
}

function missing(): JudgeResult {
  return { score: 0, error: "the judge returned fewer results than answers" };
}
