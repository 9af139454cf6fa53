// Gibberish classifier (transformers.js), e.g. madhurjindal/autonlp-Gibberish-Detector-492513457 with labels
// clean / mild gibberish / noise / word salad: gibberish = 1 - P(clean label).
import { z } from "zod";
import { hfOptionShape, labelIndex, loadSequenceClassifier } from "../local/hf.js";
import type { GibberishScorer } from "../types.js";

export const DEFAULT_GIBBERISH_MODEL = "madhurjindal/autonlp-Gibberish-Detector-492513457";

export const transformersGibberishOptions = z.strictObject({
  ...hfOptionShape,
  cleanLabel: z.string().default("clean").describe("The label meaning natural text."),
});

export async function createTransformersGibberish(
  source: string,
  opts: z.output<typeof transformersGibberishOptions>,
  env?: Record<string, string | undefined>,
): Promise<GibberishScorer> {
  const id = `transformers-gibberish:${source}`;
  const clf = await loadSequenceClassifier(source, opts, env);
  const clean = labelIndex(clf.labels, opts.cleanLabel, id, "cleanLabel");
  return {
    id,
    async gibberish(texts) {
      const probs = await clf.probabilities(texts);
      return probs.map((p) => Math.min(1, Math.max(0, 1 - p[clean])));
    },
    close: () => clf.close(),
  };
}
