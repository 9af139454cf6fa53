// OpenAI-compatible chat and completions targets (OpenAI, vLLM, TGI, Ollama, llama.cpp server, LM Studio).
import { z } from "zod";
import { interpolateEnv, type ProviderContext, readApiKey } from "../context.js";
import { chunk, getPath, httpOptionShape, makeHttpClient, mapInOrder } from "../options.js";
import { applyTemplate, TEMPLATE_NAMES, toChatMessages } from "../templates.js";
import type { Target, TargetResult } from "../types.js";

export const openaiSharedShape = {
  baseUrl: z.string().default("https://api.openai.com/v1").describe("Server URL up to /v1."),
  temperature: z.number().min(0).optional().describe("Sampling temperature."),
  top_p: z.number().gt(0).max(1).optional().describe("Nucleus sampling mass."),
  max_tokens: z.number().int().positive().optional().describe("Max new tokens per answer (the paper: 30)."),
  stop: z
    .union([z.string(), z.array(z.string())])
    .optional()
    .describe("Stop sequence(s)."),
  seed: z.number().int().optional().describe("Sampling seed, for servers that support it."),
  systemPrompt: z
    .string()
    .optional()
    .describe("System prompt (chat: a system message; completion: template's)."),
  headers: z.record(z.string(), z.string()).optional().describe(`Extra headers; values may use \${ENV}.`),
  extraBody: z
    .record(z.string(), z.unknown())
    .optional()
    .describe("Extra JSON fields merged into every request body."),
  ...httpOptionShape,
};

export const openaiChatOptions = z.strictObject(openaiSharedShape);
export const openaiCompletionOptions = z.strictObject({
  template: z.enum(TEMPLATE_NAMES).default("raw").describe("Prompt template wrapping each test case."),
  batchSize: z.number().int().min(1).default(1).describe("Prompts per request (the API accepts a list)."),
  ...openaiSharedShape,
});

type ChatOptions = z.output<typeof openaiChatOptions>;
type CompletionOptions = z.output<typeof openaiCompletionOptions>;

/** Client, headers (with the key) and sampling fields shared by the OpenAI-compatible adapters. */
export function openaiConnection(id: string, opts: ChatOptions, ctx: ProviderContext) {
  const key = readApiKey(ctx, opts.apiKeyEnv, id);
  const headers: Record<string, string> = {};
  const secrets: (string | undefined)[] = [key];
  for (const [name, value] of Object.entries(opts.headers ?? {})) {
    const r = interpolateEnv(ctx, value, `${id} headers.${name}`);
    headers[name] = r.text;
    secrets.push(...r.secrets);
  }
  if (key) headers.authorization = `Bearer ${key}`;
  const kind = id.split(":").slice(0, 2).join("-");
  const client = makeHttpClient(opts, ctx, { kind, key: `${id} ${opts.baseUrl}` }, secrets);
  const sampling = {
    temperature: opts.temperature,
    top_p: opts.top_p,
    max_tokens: opts.max_tokens,
    stop: opts.stop,
    seed: opts.seed,
    ...opts.extraBody,
  };
  return { client, headers, sampling, baseUrl: opts.baseUrl.replace(/\/+$/, "") };
}

function usageOf(json: unknown): TargetResult["usage"] {
  const u = getPath(json, "usage") as { prompt_tokens?: number; completion_tokens?: number } | undefined;
  return u ? { promptTokens: u.prompt_tokens, completionTokens: u.completion_tokens } : undefined;
}

function snippet(json: unknown): string {
  return JSON.stringify(json).slice(0, 200);
}

export function createOpenAIChatTarget(model: string, opts: ChatOptions, ctx: ProviderContext): Target {
  const id = `openai:chat:${model}`;
  const { client, headers, sampling, baseUrl } = openaiConnection(id, opts, ctx);
  return {
    id,
    close: async () => client.close(),
    respond: (prompts, callOpts) =>
      mapInOrder(prompts, async (prompt): Promise<TargetResult> => {
        const body = { model, messages: toChatMessages(prompt, opts.systemPrompt), ...sampling };
        const r = await client.requestJson(
          { url: `${baseUrl}/chat/completions`, headers, body },
          callOpts?.signal,
        );
        if (!r.ok) return { text: "", error: r.error, latencyMs: r.latencyMs };
        const text = getPath(r.json, "choices.0.message.content");
        if (typeof text !== "string") {
          return {
            text: "",
            error: client.redact(`${id}: response has no choices[0].message.content: ${snippet(r.json)}`),
            latencyMs: r.latencyMs,
          };
        }
        return { text, latencyMs: r.latencyMs, usage: usageOf(r.json), cached: r.cached };
      }),
  };
}

export function createOpenAICompletionTarget(
  model: string,
  opts: CompletionOptions,
  ctx: ProviderContext,
): Target {
  const id = `openai:completion:${model}`;
  const { client, headers, sampling, baseUrl } = openaiConnection(id, opts, ctx);
  return {
    id,
    close: async () => client.close(),
    async respond(prompts, callOpts) {
      const batches = chunk(
        prompts.map((p) => applyTemplate(opts.template, p, opts.systemPrompt)),
        opts.batchSize,
      );
      const perBatch = await mapInOrder(batches, async (batch): Promise<TargetResult[]> => {
        const body = { model, prompt: batch.length === 1 ? batch[0] : batch, ...sampling };
        const r = await client.requestJson(
          { url: `${baseUrl}/completions`, headers, body },
          callOpts?.signal,
        );
        if (!r.ok) return batch.map(() => ({ text: "", error: r.error, latencyMs: r.latencyMs }));
        const choices = getPath(r.json, "choices");
        const texts: (string | undefined)[] = new Array(batch.length).fill(undefined);
        if (Array.isArray(choices)) {
          choices.forEach((c: { index?: number; text?: unknown }, i) => {
            const at = typeof c?.index === "number" ? c.index : i;
            if (at >= 0 && at < batch.length && typeof c?.text === "string") texts[at] = c.text;
          });
        }
        // Token usage is per request; it is only attributable when the request held one prompt.
        const usage = batch.length === 1 ? usageOf(r.json) : undefined;
        return texts.map((text, i) =>
          text === undefined
            ? {
                text: "",
                error: client.redact(`${id}: response has no choices[${i}].text: ${snippet(r.json)}`),
                latencyMs: r.latencyMs,
              }
            : { text, latencyMs: r.latencyMs, usage, cached: r.cached },
        );
      });
      return perBatch.flat();
    },
  };
}
