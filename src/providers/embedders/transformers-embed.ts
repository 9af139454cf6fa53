// Sentence embeddings through the transformers.js feature-extraction pipeline: mean pooling over the
// attention mask, L2-normalised (sentence-transformers' all-MiniLM-L6-v2 recipe).
import { z } from "zod";
import { hfOptionShape, openHfModel } from "../local/hf.js";
import type { Embedder } from "../types.js";

export const DEFAULT_EMBED_MODEL = "Xenova/all-MiniLM-L6-v2";
export const transformersEmbedOptions = z.strictObject({ ...hfOptionShape });

export async function createTransformersEmbedder(
  source: string,
  opts: z.output<typeof transformersEmbedOptions>,
  env?: Record<string, string | undefined>,
): Promise<Embedder> {
  const { folder, lib, loadOptions } = await openHfModel(source, opts, env);
  const extractor = await lib.pipeline("feature-extraction", folder, loadOptions);
  const hidden = (extractor.model.config as { hidden_size?: number }).hidden_size;
  async function run(texts: string[]): Promise<Float32Array[]> {
    const out: Float32Array[] = [];
    for (let i = 0; i < texts.length; i += opts.batchSize) {
      const batch = texts.slice(i, i + opts.batchSize);
      const t = await extractor(batch, { pooling: "mean", normalize: true });
      const [rows, dim] = t.dims; // [B, H]
      const data = t.data as Float32Array;
      for (let r = 0; r < rows; r++) out.push(Float32Array.from(data.subarray(r * dim, (r + 1) * dim)));
    }
    return out;
  }
  const dim = hidden ?? (await run(["dimension probe"]))[0].length;
  return {
    id: `transformers-embed:${source}`,
    dim,
    embed: (texts) => (texts.length === 0 ? Promise.resolve([]) : run(texts)),
    close: () => extractor.dispose(),
  };
}
