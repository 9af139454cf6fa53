// A real OpenAI-compatible server on 127.0.0.1 for the provider tests (chat, completions, embeddings) that
// injects faults chosen by markers in the prompt text, e.g. "[429:2]" = answer 429 to the first two attempts.
// Markers: [429:N] (Retry-After: 1 s), [429date:N] (Retry-After as an HTTP date 2 s ahead), [500:N],
// [slow:N] (sleep 1.5 s), [drop:N] (destroy the socket), [badjson:N] (truncated JSON), [400] (always).
import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";

export interface Seen {
  path: string;
  headers: IncomingMessage["headers"];
  body: Record<string, unknown>;
}

export interface FakeServer {
  url: string;
  /** Every request received, in arrival order. */
  seen: Seen[];
  maxInFlight: number;
  /** Milliseconds every answer waits (to make concurrency observable). */
  delayMs: number;
  /** Answers for /chat/completions, overriding the echo (given the last user message). */
  chatReply?: (userText: string, body: Record<string, unknown>) => string;
  /** Answer 400 to requests carrying response_format (servers without structured output). */
  rejectResponseFormat?: boolean;
  close(): Promise<void>;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Deterministic 4-d embedding of a text (not normalised): [length, vowels, spaces, 1]. */
export function fakeEmbedding(text: string): number[] {
  return [text.length, (text.match(/[aeiou]/g) ?? []).length, (text.match(/ /g) ?? []).length, 1];
}

export async function startFakeServer(opts: { delayMs?: number } = {}): Promise<FakeServer> {
  const attempts = new Map<string, number>();
  let inFlight = 0;
  const state: FakeServer = {
    url: "",
    seen: [],
    maxInFlight: 0,
    delayMs: opts.delayMs ?? 0,
    close: async () => {},
  };

  function faultFor(key: string): string | undefined {
    const n = (attempts.get(key) ?? 0) + 1;
    attempts.set(key, n);
    if (key.includes("[400]")) return "400";
    for (const m of key.matchAll(/\[(429date|429|500|slow|drop|badjson):(\d+)\]/g)) {
      if (n <= Number(m[2])) return m[1];
    }
    return undefined;
  }

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const chunks: Buffer[] = [];
    for await (const c of req) chunks.push(c as Buffer);
    const raw = Buffer.concat(chunks).toString("utf8");
    const body = (raw ? JSON.parse(raw) : {}) as Record<string, unknown>;
    const path = (req.url ?? "").replace(/^\/v1/, "");
    state.seen.push({ path, headers: req.headers, body });

    const key = JSON.stringify(body.messages ?? body.prompt ?? body.input ?? "");
    const fault = faultFor(key);
    if (state.delayMs > 0) await sleep(state.delayMs);
    const send = (status: number, payload: string, headers: Record<string, string> = {}) => {
      res.writeHead(status, { "content-type": "application/json", ...headers });
      res.end(payload);
    };
    if (state.rejectResponseFormat && body.response_format) {
      return send(400, JSON.stringify({ error: "response_format is not supported by this server" }));
    }
    switch (fault) {
      case "400":
        // Echoes the auth header back, as some misbehaving proxies do: the client must redact it.
        return send(400, JSON.stringify({ error: `bad request; you sent ${req.headers.authorization}` }));
      case "429":
        return send(429, JSON.stringify({ error: "slow down" }), { "retry-after": "1" });
      case "429date":
        return send(429, JSON.stringify({ error: "slow down" }), {
          "retry-after": new Date(Date.now() + 2000).toUTCString(),
        });
      case "500":
        return send(500, JSON.stringify({ error: `internal; auth was ${req.headers.authorization}` }));
      case "slow":
        await sleep(1500);
        break;
      case "drop":
        req.socket.destroy();
        return;
      case "badjson":
        return send(200, '{"choices": [{"message": {"content": "trunc');
    }
    if (path === "/chat/completions") {
      const msgs = body.messages as { role: string; content: string }[];
      const user = msgs.filter((m) => m.role === "user").at(-1)?.content ?? "";
      const content = state.chatReply ? state.chatReply(user, body) : `echo: ${user}`;
      return send(
        200,
        JSON.stringify({
          choices: [{ index: 0, message: { role: "assistant", content } }],
          usage: { prompt_tokens: user.length, completion_tokens: content.length },
        }),
      );
    }
    if (path === "/completions") {
      const prompts = Array.isArray(body.prompt) ? (body.prompt as string[]) : [body.prompt as string];
      // Reverse the choice order to check that clients use `index`, not position.
      const choices = prompts.map((p, index) => ({ index, text: `echo: ${p}` })).reverse();
      return send(200, JSON.stringify({ choices, usage: { prompt_tokens: 1, completion_tokens: 2 } }));
    }
    if (path === "/embeddings") {
      const inputs = Array.isArray(body.input) ? (body.input as string[]) : [body.input as string];
      const data = inputs.map((t, index) => ({ index, embedding: fakeEmbedding(t) })).reverse();
      return send(200, JSON.stringify({ data }));
    }
    return send(404, JSON.stringify({ error: `no route ${path}` }));
  }

  const server: Server = createServer((req, res) => {
    inFlight++;
    state.maxInFlight = Math.max(state.maxInFlight, inFlight);
    res.on("close", () => inFlight--);
    handle(req, res).catch((err) => {
      res.writeHead(500);
      res.end(String(err));
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  state.url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/v1`;
  state.close = () =>
    new Promise((resolve) => {
      server.closeAllConnections();
      server.close(() => resolve());
    });
  return state;
}
