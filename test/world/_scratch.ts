import { Gpt2Policy } from "../../src/models/index.js";
import { buildWorld } from "../../src/world/build.js";

const [steps, lr, bs] = process.argv.slice(2).map(Number);
const t0 = Date.now();
const w = await buildWorld({
  seed: 1,
  cacheDir: "/tmp/gw/cache",
  log: console.log,
  pretrain: { steps, lr, batchSize: bs },
});
console.log("built", (Date.now() - t0) / 1000, w.manifest.finalLoss, w.manifest.pretrainSeconds);
const p = await Gpt2Policy.load(w.paths.policy);
const t1 = Date.now();
const gens = await p.generate(w.seedPrompts.slice(0, 64), {
  maxNewTokens: 20,
  temperature: 0.7,
  topP: 0.92,
  topK: 0,
  stop: ["\n"],
  seed: 1,
});
console.log("gen s", (Date.now() - t1) / 1000);
const res = await w.target().respond(gens.map((g) => g.text.trim()));
const gib = w.gibberish();
const kinds: Record<string, number> = {};
let g = 0;
for (let i = 0; i < gens.length; i++) {
  kinds[res[i]!.meta.kind] = (kinds[res[i]!.meta.kind] ?? 0) + 1;
  g += gib.score(gens[i]!.text);
  if (i < 12) console.log(JSON.stringify(gens[i]!.text), res[i]!.meta.kind);
}
console.log(
  kinds,
  "gib",
  g / gens.length,
  "sensitive",
  res.filter((r) => w.topics.find((t) => t.id === r.meta.cell?.topic)?.sensitive).length,
  "vuln",
  res.filter((r) => r.meta.vulnerable).length,
);
await p.release();
