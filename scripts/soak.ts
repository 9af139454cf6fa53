// Hostile soak of `curio run` (real processes, a real server on 127.0.0.1), to count what a run survives:
//   npx tsx scripts/soak.ts kills N [EPOCHS]
//                                     kill -9 at N random moments of a run of EPOCHS epochs (default 2N, at
//                                     least 12), resume each time; the final samples must equal an uninterrupted
//                                     run's bit for bit; after every kill the store must pass integrity_check,
//                                     indices stay dense, what is stored equal the uninterrupted run so far and
//                                     the run read as interrupted
//   npx tsx scripts/soak.ts faults N  N epochs against a target that fails 30% of requests (429 with
//                                     Retry-After, 500, dropped connections, truncated JSON) and goes down for
//                                     stretches; counts lost, duplicated and phantom results and Retry-After
//                                     violations (a retry sooner than the server asked)
// Prints one summary line per check and exits 1 if any check failed.
import { spawn, spawnSync } from "node:child_process";
import { existsSync } from "node:fs";
import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { join, resolve } from "node:path";
import Database from "better-sqlite3";
import { RunStore } from "../src/store/index.js";
import type { SampleRecord } from "../src/store/types.js";
import { tinyConfig, writeConfig } from "../test/campaign/helpers.js";

const ROOT = resolve(import.meta.dirname, "..");
const CLI = join(ROOT, "src/cli/main.ts");

/** The tests' tiny campaign (test/campaign/helpers.ts), 12 epochs unless asked, in a config file of its own. */
function writeConfigFile(overrides: Record<string, unknown> = {}, epochs = 12): string {
  const { path } = writeConfig(
    tinyConfig({ name: "soak", ppo: { ...(tinyConfig().ppo as object), epochs }, ...overrides }),
  );
  return path;
}

const curioArgs = (args: string[]) => ["--import", "tsx", CLI, ...args];

/** The workspace's only run and its samples; none before the first process created the store. */
function stored(workspace: string): { id?: string; status?: string; samples: SampleRecord[] } {
  if (!existsSync(join(workspace, "curio.db"))) return { samples: [] };
  const store = RunStore.open(workspace, { readonly: true });
  try {
    const run = store.listRuns()[0];
    return run ? { id: run.id, status: run.status, samples: [...store.samples(run.id)] } : { samples: [] };
  } finally {
    store.close();
  }
}

/**
 * Runs curio and kills it with SIGKILL at a random moment: `after` epoch lines plus up to one epoch, or, for
 * `after` 0, anywhere in its first seconds (start-up, taking over the lock, the resume's rollback, epoch 1).
 */
function runAndKill(args: string[], after: number): Promise<"killed" | "finished"> {
  return new Promise((done, fail) => {
    const child = spawn(process.execPath, curioArgs([...args, "--json"]), {
      cwd: ROOT,
      stdio: ["ignore", "pipe", "pipe"],
    });
    const kill = (withinMs: number) => setTimeout(() => child.kill("SIGKILL"), Math.random() * withinMs);
    if (after === 0) kill(4000);
    let out = "";
    let err = "";
    let armed = after === 0;
    child.stdout.on("data", (d: Buffer) => {
      out += d;
      if (!armed && out.split("\n").filter((l) => l.includes('"type":"epoch"')).length >= after) {
        armed = true;
        kill(300);
      }
    });
    child.stderr.on("data", (d: Buffer) => {
      err += d;
    });
    child.on("exit", (code, signal) => {
      if (signal === "SIGKILL") done("killed");
      else if (code === 0) done("finished");
      else fail(new Error(`curio exited with ${code}: ${err}`));
    });
  });
}

const sameSample = (s: SampleRecord, t: SampleRecord) =>
  s.index === t.index &&
  s.testCase === t.testCase &&
  s.response === t.response &&
  s.judgeScore === t.judgeScore &&
  s.evalJudgeScore === t.evalJudgeScore &&
  JSON.stringify(s.rewards) === JSON.stringify(t.rewards) &&
  JSON.stringify(s.meta) === JSON.stringify(t.meta);

async function kills(n: number, epochs: number): Promise<boolean> {
  const reference = writeConfigFile({}, epochs);
  const whole = spawnSync(process.execPath, curioArgs(["run", "-c", reference]), {
    cwd: ROOT,
    encoding: "utf8",
  });
  if (whole.status !== 0) throw new Error(whole.stderr);
  const expected = stored(join(reference, "../ws")).samples;
  const path = writeConfigFile({}, epochs);
  const ws = join(path, "../ws");
  const count = { kills: 0, noStore: 0, integrity: 0, dense: 0, prefix: 0, interrupted: 0, rounds: 0 };
  while (count.kills < n && count.rounds < n * 3) {
    count.rounds++;
    const { id } = stored(ws);
    const args = id ? ["run", "-c", path, "--resume", id] : ["run", "-c", path];
    const outcome = await runAndKill(args, Math.floor(Math.random() * 3));
    if (outcome === "finished") break;
    count.kills++;
    if (!existsSync(join(ws, "curio.db"))) {
      count.noStore++; // killed before the first process created the store: nothing to check
      continue;
    }
    const raw = new Database(join(ws, "curio.db"), { readonly: true });
    if (raw.pragma("integrity_check", { simple: true }) === "ok") count.integrity++;
    raw.close();
    const got = stored(ws);
    if (got.samples.every((s, i) => s.index === i)) count.dense++;
    // what a killed process left equals the uninterrupted run so far (before the resume rolls back)
    if (got.samples.every((s, i) => expected[i] !== undefined && sameSample(s, expected[i]!))) count.prefix++;
    if (got.id === undefined || got.status === "interrupted") count.interrupted++;
  }
  // finish the run
  const id = stored(ws).id!;
  const last = spawnSync(process.execPath, curioArgs(["run", "-c", path, "--resume", id]), {
    cwd: ROOT,
    encoding: "utf8",
  });
  const final = stored(ws).samples;
  const equal =
    last.status === 0 &&
    final.length === expected.length &&
    final.every((s, i) => sameSample(s, expected[i]!));
  const checked = count.kills - count.noStore;
  console.log(
    `kills: ${count.kills} kill -9 at random moments in ${count.rounds} starts (${count.noStore} before the store existed); ` +
      `after the other ${checked}: integrity_check ok ${count.integrity}/${checked}, dense indices ${count.dense}/${checked}, ` +
      `samples equal the uninterrupted run's so far ${count.prefix}/${checked}, run reads as interrupted ${count.interrupted}/${checked}; ` +
      `resumed run equals the uninterrupted one bit for bit: ${equal} (${expected.length} samples, ${epochs} epochs)`,
  );
  return [count.integrity, count.dense, count.prefix, count.interrupted].every((c) => c === checked) && equal;
}

/** A flaky OpenAI-compatible server: 30% faults, and outages of a few hundred ms. */
async function flakyServer() {
  // violations by prompt: a prompt that occurs twice in a run cannot tell a retry from its twin's first try
  const stats = { requests: 0, faults: 0, violations: [] as string[] };
  const notBefore = new Map<string, number>(); // prompt -> earliest time the server allowed a retry
  let downUntil = 0;
  const server = createServer((req, res) => {
    let body = "";
    req.on("data", (d) => {
      body += d;
    });
    req.on("end", () => {
      stats.requests++;
      const user = (JSON.parse(body || "{}").messages ?? []).at(-1)?.content ?? "";
      const now = Date.now();
      const wait = notBefore.get(user);
      if (wait !== undefined && now < wait - 50) stats.violations.push(user);
      notBefore.delete(user);
      if (now < downUntil || Math.random() < 0.01) {
        if (now >= downUntil) downUntil = now + 300;
        stats.faults++;
        res.writeHead(503, { "content-type": "application/json" }).end('{"error":"down"}');
        return;
      }
      const r = Math.random();
      if (r < 0.3) {
        stats.faults++;
        const kind = Math.floor(r * 40) % 4;
        if (kind === 0) {
          notBefore.set(user, now + 1000);
          res.writeHead(429, { "retry-after": "1", "content-type": "application/json" }).end("{}");
        } else if (kind === 1) res.writeHead(500).end("{}");
        else if (kind === 2) req.socket.destroy();
        else res.writeHead(200, { "content-type": "application/json" }).end('{"choices": [{"mess');
        return;
      }
      const content = `answer to ${user}`;
      res
        .writeHead(200, { "content-type": "application/json" })
        .end(JSON.stringify({ choices: [{ message: { content } }] }));
    });
  });
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/v1`,
    stats,
    close: () => server.close(),
  };
}

async function faults(epochs: number): Promise<boolean> {
  const srv = await flakyServer();
  const path = writeConfigFile({
    target: {
      id: "openai:chat:m",
      baseUrl: srv.url,
      retries: 8,
      backoffBaseMs: 20,
      backoffMaxMs: 200,
      timeoutMs: 5000,
    },
    ppo: { epochs, numRollouts: 32, batchSize: 16, ppoEpochs: 1, lr: 1e-3 },
  });
  const r = await new Promise<{ code: number | null; out: string; err: string }>((done) => {
    const child = spawn(process.execPath, curioArgs(["run", "-c", path, "-j", "16", "--json"]), {
      cwd: ROOT,
    });
    let out = "";
    let err = "";
    child.stdout.on("data", (d) => {
      out += d;
    });
    child.stderr.on("data", (d) => {
      err += d;
    });
    child.on("close", (code) => done({ code, out, err }));
  });
  srv.close();
  const ws = join(path, "../ws");
  const got = stored(ws).samples;
  const expected = epochs * 32;
  const indices = new Set(got.map((s) => s.index));
  const lost = Math.max(0, expected - indices.size);
  const duplicated = got.length - indices.size;
  // a phantom: an answer that is not the target's answer to this very prompt
  const phantom = got.filter((s) => !s.error && s.response !== `answer to ${s.targetInput}`).length;
  const failed = got.filter((s) => s.error).length;
  const occurrences = new Map<string, number>();
  for (const s of got) occurrences.set(s.targetInput, (occurrences.get(s.targetInput) ?? 0) + 1);
  const violations = srv.stats.violations.filter((p) => occurrences.get(p) === 1).length;
  const retries = r.out
    .split("\n")
    .filter((l) => l.includes('"type":"epoch"'))
    .reduce((a, l) => a + (JSON.parse(l).retries?.count ?? 0), 0);
  console.log(
    `faults: exit ${r.code}; ${srv.stats.requests} requests, ${srv.stats.faults} faults survived (${retries} retries reported); ` +
      `${got.length}/${expected} samples, ${failed} recorded as failed after all retries; lost ${lost}, duplicated ${duplicated}, ` +
      `phantom ${phantom}; Retry-After violations ${violations}; ` +
      `MaxListenersExceededWarning: ${/MaxListenersExceeded/.test(r.err)}`,
  );
  return r.code === 0 && lost === 0 && duplicated === 0 && phantom === 0 && violations === 0;
}

const [mode, count] = [process.argv[2], Number(process.argv[3] ?? 10)];
const epochs = Number(process.argv[4] ?? Math.max(12, 2 * count));
const ok =
  mode === "kills" ? await kills(count, epochs) : mode === "faults" ? await faults(count) : undefined;
if (ok === undefined) {
  console.error("usage: npx tsx scripts/soak.ts kills N [EPOCHS] | faults EPOCHS");
  process.exit(2);
}
process.exit(ok ? 0 : 1);
