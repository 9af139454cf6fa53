// Benchmark `providers`: 256 prompts at concurrency 32 through the openai:chat target against a local
// server that answers each request after 50 ms. Ideal wall time: 256 / 32 * 50 ms = 400 ms; must be < 1 s.
import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { createTarget } from "../src/providers/index.js";

async function providers(args: string[]): Promise<{ wallMs: number; idealMs: number; cpuMs: number }> {
  const n = Number(args[0] ?? 256);
  const concurrency = Number(args[1] ?? 32);
  const delayMs = Number(args[2] ?? 50);
  let inFlight = 0;
  let peak = 0;
  const server = createServer((req, res) => {
    inFlight++;
    peak = Math.max(peak, inFlight);
    const chunks: Buffer[] = [];
    req.on("data", (c: Buffer) => chunks.push(c));
    req.on("end", () => {
      const body = JSON.parse(Buffer.concat(chunks).toString("utf8")) as { messages: { content: string }[] };
      setTimeout(() => {
        inFlight--;
        res.writeHead(200, { "content-type": "application/json" });
        res.end(
          JSON.stringify({ choices: [{ message: { content: `ok ${body.messages.at(-1)?.content}` } }] }),
        );
      }, delayMs);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/v1`;
  try {
    const target = await createTarget({ id: "openai:chat:bench", baseUrl: url, concurrency });
    const prompts = Array.from({ length: n }, (_, i) => `prompt ${i}`);
    await target.respond(prompts.slice(0, concurrency)); // warm up connections
    const cpu0 = process.cpuUsage();
    const t0 = performance.now();
    const results = await target.respond(prompts);
    const wallMs = performance.now() - t0;
    const cpu = process.cpuUsage(cpu0);
    // CPU of this process (client and the in-process server): on an idle machine wall ~ max(ideal, cpu).
    const cpuMs = (cpu.user + cpu.system) / 1000;
    const idealMs = (n / concurrency) * delayMs;
    const lost = results.filter((r, i) => r.text !== `ok prompt ${i}`).length;
    console.log(
      `providers: ${n} prompts, concurrency ${concurrency}, server ${delayMs} ms/request: ` +
        `${wallMs.toFixed(0)} ms wall (ideal ${idealMs.toFixed(0)} ms, ${(wallMs / idealMs).toFixed(2)}x); ` +
        `CPU ${cpuMs.toFixed(0)} ms (client + server); peak in flight ${peak}; wrong/lost ${lost}`,
    );
    if (lost > 0) throw new Error(`${lost} answers lost or out of order`);
    return { wallMs, idealMs, cpuMs };
  } finally {
    server.closeAllConnections();
    server.close();
  }
}

export const benchmarks = { providers };
