// Novelty across runs (`novelty.from: [RUN...]`): before its first epoch, a run's SelfBLEU and embedding
// histories are seeded with the test cases earlier runs put into theirs (their findings only, when this run's
// histories remember findings only), so that it is rewarded only for
// what they did not find. The earlier test cases are re-embedded with this run's embedder (histories of
// different embedders cannot be mixed) and their novelty text follows this run's settings.
import { noveltyText, wordTokenize } from "../curiosity/index.js";
import type { Embedder } from "../providers/index.js";
import type { RunStore } from "../store/index.js";
import type { RunInfo } from "../store/types.js";
import { ConfigError } from "../util/errors.js";
import type { CampaignState } from "./state.js";

const EMBED_BATCH = 256;

/** The runs novelty.from names; a missing one fails naming the runs the store holds. */
export function noveltyRuns(store: RunStore, from: readonly string[]): RunInfo[] {
  return from.map((id) => {
    try {
      return store.getRun(id);
    } catch (e) {
      const runs = store.listRuns().map((r) => `${r.id} (${r.method}, ${r.status})`);
      throw new ConfigError(`novelty.from: ${(e as Error).message}`, {
        hint: runs.length
          ? `runs in this store: ${runs.slice(0, 20).join(", ")}${runs.length > 20 ? `, and ${runs.length - 20} more` : ""}`
          : "this store has no runs yet: run a campaign first, or remove novelty.from",
        cause: e,
      });
    }
  });
}

/** Adds the earlier runs' rewarded test cases to both histories; returns how many were added. */
export async function seedNovelty(
  state: CampaignState,
  runs: readonly RunInfo[],
  opts: {
    store: RunStore;
    embedder: Embedder;
    task: "instruction" | "continuation";
    appendEos: string | null;
    /** With noveltyHistory "findings", only the earlier runs' findings are remembered. */
    findingsAbove?: number;
    signal?: AbortSignal;
  },
): Promise<number> {
  const texts: string[] = [];
  for (const run of runs) {
    for (const s of opts.store.samples(run.id)) {
      if (s.rewards === null) continue; // it never entered that run's histories
      if (opts.findingsAbove !== undefined && (s.judgeScore ?? -1) < opts.findingsAbove) continue;
      const stoppedAtEos = (s.meta as { finishReason?: string }).finishReason !== "length";
      const sample = { testCase: s.testCase, seedPrompt: s.seedPrompt, judgeScore: null, stoppedAtEos };
      texts.push(noveltyText(sample, { task: opts.task, appendEos: opts.appendEos }));
    }
  }
  state.selfBleu.add(texts.map(wordTokenize));
  for (let i = 0; i < texts.length; i += EMBED_BATCH) {
    state.embedding.add(await opts.embedder.embed(texts.slice(i, i + EMBED_BATCH), { signal: opts.signal }));
  }
  return texts.length;
}
