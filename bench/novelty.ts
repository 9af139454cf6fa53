// Novelty benchmark: `npm run bench -- novelty [--history N] [--batch B] [--brute K] [--knn-history M]`.
// SelfBLEU: score B new docs against a history of N docs (10-30 words from a Zipf-like vocabulary, so n-grams
// repeat), with the incremental index vs the brute-force definition (timed on K docs, extrapolated to B), and
// check the values are identical. Embedding novelty: mean (O(d)) vs kNN (O(history * d)) per query.
import { bleuBruteForce } from "../src/curiosity/bleu.js";
import { EmbeddingNovelty } from "../src/curiosity/embedding.js";
import { SelfBleuNovelty } from "../src/curiosity/selfbleu.js";
import { makeRng } from "../src/eval/prng.js";

const ORDERS = [2, 3, 4, 5];

function option(args: string[], name: string, fallback: number): number {
  const at = args.indexOf(`--${name}`);
  if (at < 0) return fallback;
  const value = Number(args[at + 1]);
  if (!Number.isInteger(value) || value < 1)
    throw new Error(`--${name} needs a positive integer, got ${args[at + 1]}`);
  return value;
}

/** Docs of 10-30 words; word rank r has probability ~ 1 / (r + 1)^1.1 over a 5,000-word vocabulary. */
function zipfCorpus(rng: () => number, count: number): string[][] {
  const vocab = Array.from({ length: 5000 }, (_, i) => `w${i}`);
  const cumulative: number[] = [];
  let total = 0;
  for (let r = 0; r < vocab.length; r++) {
    total += 1 / (r + 1) ** 1.1;
    cumulative.push(total);
  }
  const word = () => {
    const u = rng() * total;
    let lo = 0;
    let hi = cumulative.length - 1;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (cumulative[mid] < u) lo = mid + 1;
      else hi = mid;
    }
    return vocab[lo];
  };
  return Array.from({ length: count }, () => Array.from({ length: 10 + Math.floor(rng() * 21) }, word));
}

interface Timing {
  /** Wall-clock milliseconds. */
  wall: number;
  /** CPU milliseconds of this process (user + system): less sensitive to other processes on a busy machine. */
  cpu: number;
}

function timeOnce(fn: () => unknown): Timing {
  const cpu = process.cpuUsage();
  const wall = process.hrtime.bigint();
  fn();
  const used = process.cpuUsage(cpu);
  return { wall: Number(process.hrtime.bigint() - wall) / 1e6, cpu: (used.user + used.system) / 1e3 };
}

/** Median wall and CPU time of `reps` calls after three warm-up calls (JIT). */
function timeMedian(fn: () => unknown, reps: number): Timing {
  for (let i = 0; i < 3; i++) fn();
  const runs = Array.from({ length: reps }, () => timeOnce(fn));
  const median = (xs: number[]) => xs.sort((a, b) => a - b)[xs.length >> 1];
  return { wall: median(runs.map((r) => r.wall)), cpu: median(runs.map((r) => r.cpu)) };
}

const fmt = (t: Timing, digits = 1) => `${t.wall.toFixed(digits)} ms wall / ${t.cpu.toFixed(digits)} ms CPU`;

async function novelty(args: string[]): Promise<Record<string, number>> {
  const historySize = option(args, "history", 100_000);
  const batchSize = option(args, "batch", 64);
  const bruteDocs = Math.min(option(args, "brute", 2), batchSize);
  const knnHistory = option(args, "knn-history", 20_000);
  const rng = makeRng(1234);
  const history = zipfCorpus(rng, historySize);
  const batches = Array.from({ length: 10 }, () => zipfCorpus(rng, batchSize));

  // Scoring cost must not depend on the history size: also time a 1,000-doc index.
  const small = new SelfBleuNovelty({ n: ORDERS });
  small.add(history.slice(0, 1000));
  let next = 0;
  const smallScore = timeMedian(() => small.score(batches[next++ % batches.length]), batches.length);

  const index = new SelfBleuNovelty({ n: ORDERS });
  const build = timeOnce(() => index.add(history));
  const memory = process.memoryUsage();
  const memoryMb = (memory.heapUsed + memory.arrayBuffers) / 2 ** 20;
  const indexScore = timeMedian(() => index.score(batches[next++ % batches.length]), batches.length);

  const batch = batches[0];
  const indexed = index.score(batch);
  let maxDiff = 0;
  const brute = timeOnce(() => {
    for (let i = 0; i < bruteDocs; i++) {
      const value = ORDERS.reduce((sum, n) => sum + bleuBruteForce(batch[i], history, n), 0) / ORDERS.length;
      maxDiff = Math.max(maxDiff, Math.abs(value - indexed[i]));
    }
  });
  const bruteBatch: Timing = {
    wall: (brute.wall / bruteDocs) * batchSize,
    cpu: (brute.cpu / bruteDocs) * batchSize,
  };

  // Embedding novelty, d = 384 (all-MiniLM-L6-v2).
  const d = 384;
  const vector = () => Float32Array.from({ length: d }, () => rng() - 0.5);
  const mean = new EmbeddingNovelty();
  const knn = new EmbeddingNovelty({ mode: "knn", k: 16 });
  const embHistory = Array.from({ length: knnHistory }, vector);
  mean.add(embHistory);
  knn.add(embHistory);
  const queries = Array.from({ length: batchSize }, vector);
  const meanScore = timeMedian(() => mean.score(queries), 10);
  const knnScore = timeMedian(() => knn.score(queries), 3);

  console.log(
    `SelfBLEU novelty, history ${historySize} docs (10-30 Zipf words), batch ${batchSize}, n = 2..5`,
  );
  console.log(
    `  index build (add all history): ${fmt(build, 0)}; process heap + typed arrays ${memoryMb.toFixed(0)} MB`,
  );
  console.log(
    `  index score, ${historySize}-doc history: ${fmt(indexScore, 2)} per batch (median of ${batches.length})`,
  );
  console.log(`  index score, 1000-doc history: ${fmt(smallScore, 2)} per batch`);
  console.log(
    `  brute force: ${fmt(bruteBatch, 0)} per batch (timed on ${bruteDocs} docs, extrapolated to ${batchSize})`,
  );
  console.log(
    `  speedup: ${(bruteBatch.wall / indexScore.wall).toFixed(0)}x wall, ${(bruteBatch.cpu / indexScore.cpu).toFixed(0)}x CPU;` +
      ` max |index - brute force| = ${maxDiff}`,
  );
  console.log(`Embedding novelty, history ${knnHistory} x ${d}, batch ${batchSize}`);
  console.log(`  mean (O(d) per query): ${fmt(meanScore, 2)} per batch`);
  console.log(`  kNN k=16 (O(history*d) per query): ${fmt(knnScore, 0)} per batch`);
  if (maxDiff !== 0) throw new Error(`index and brute force differ by ${maxDiff}`);
  return {
    historyDocs: historySize,
    batchDocs: batchSize,
    indexBuildCpuMs: build.cpu,
    indexScoreWallMs: indexScore.wall,
    indexScoreCpuMs: indexScore.cpu,
    bruteForceWallMs: bruteBatch.wall,
    bruteForceCpuMs: bruteBatch.cpu,
    maxAbsDiff: maxDiff,
    embeddingMeanCpuMs: meanScore.cpu,
    embeddingKnnCpuMs: knnScore.cpu,
  };
}

export const benchmarks = { novelty };
