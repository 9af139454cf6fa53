// OpenAI-compatible /embeddings (OpenAI, vLLM, TEI, Ollama), batched; vectors are re-normalised to unit
// length and ordered by the response's `index`. The Embedder contract has no per-text error slot, so a
// batch that still fails after the retries rejects the call with the (redacted) error.
import { z } from "zod";
import type { ProviderContext } from "../context.js";
import { chunk, mapInOrder } from "../options.js";
import { openaiConnection, openaiSharedShape } from "../targets/openai.js";
import type { Embedder } from "../types.js";

const { baseUrl, concurrency, timeoutMs, retries, backoffBaseMs, backoffMaxMs, maxRetryAfterMs, rateLimit } =
  openaiSharedShape;
export const openaiEmbedOptions = z.strictObject({
  baseUrl,
  concurrency,
  timeoutMs,
  retries,
  backoffBaseMs,
  backoffMaxMs,
  maxRetryAfterMs,
  rateLimit,
  cache: openaiSharedShape.cache
    .default(true)
    .describe("Cache embeddings on disk (deterministic: on by default)."),
  cacheDir: openaiSharedShape.cacheDir,
  apiKeyEnv: openaiSharedShape.apiKeyEnv,
  headers: openaiSharedShape.headers,
  batchSize: z.number().int().min(1).default(64).describe("Texts per request."),
  dimensions: z
    .number()
    .int()
    .positive()
    .optional()
    .describe("Embedding size; sent to the server and used as dim (else one probe request finds it)."),
});

export function l2normalize(v: ArrayLike<number>): Float32Array {
  let s = 0;
  for (let i = 0; i < v.length; i++) s += v[i] * v[i];
  const n = Math.sqrt(s);
  return Float32Array.from(v as ArrayLike<number>, (x) => (n > 0 ? x / n : 0));
}

export async function createOpenAIEmbedder(
  model: string,
  opts: z.output<typeof openaiEmbedOptions>,
  ctx: ProviderContext,
): Promise<Embedder> {
  const id = `openai-embed:${model}`;
  const { client, headers, baseUrl: url } = openaiConnection(id, opts, ctx);
  async function embedBatch(batch: string[], signal?: AbortSignal): Promise<Float32Array[]> {
    const body = { model, input: batch, dimensions: opts.dimensions };
    const r = await client.requestJson({ url: `${url}/embeddings`, headers, body }, signal);
    if (!r.ok) throw new Error(r.error);
    const data = (r.json as { data?: { index?: number; embedding?: unknown }[] })?.data;
    const out: (Float32Array | undefined)[] = new Array(batch.length).fill(undefined);
    (Array.isArray(data) ? data : []).forEach((d, i) => {
      const at = typeof d?.index === "number" ? d.index : i;
      if (Array.isArray(d?.embedding) && at >= 0 && at < batch.length)
        out[at] = l2normalize(d.embedding as number[]);
    });
    const missing = out.indexOf(undefined);
    if (missing >= 0) {
      throw new Error(
        client.redact(
          `${id}: response has no embedding for input ${missing}: ${JSON.stringify(r.json).slice(0, 200)}`,
        ),
      );
    }
    return out as Float32Array[];
  }
  const dim = opts.dimensions ?? (await embedBatch(["dimension probe"]))[0].length;
  return {
    id,
    dim,
    close: async () => client.close(),
    async embed(texts, callOpts) {
      const batches = await mapInOrder(chunk(texts, opts.batchSize), (b) => embedBatch(b, callOpts?.signal));
      const vectors = batches.flat();
      const bad = vectors.find((v) => v.length !== dim);
      if (bad) throw new Error(`${id}: server returned a ${bad.length}-d embedding, expected ${dim}`);
      return vectors;
    },
  };
}
