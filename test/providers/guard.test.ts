// Guard judges (Llama Guard 3 1B-style and Qwen3Guard-Gen-style tiny models carrying the real chat templates)
// against transformers: the rendered prompt and its ids, P(verdict) at the verdict position and greedy
// generate()'s verdict text (scripts/fixtures/guard_reference.py wrote the models and golden.json).
import assert from "node:assert/strict";
import { cpSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { test } from "node:test";
import { fileURLToPath } from "node:url";
import { loadCausalLM } from "../../src/models/index.js";
import { createJudge } from "../../src/providers/index.js";
import { guardJudge, guardOptions } from "../../src/providers/judges/guard.js";

const FIXTURES = fileURLToPath(new URL("./fixtures/guards/", import.meta.url));
interface GoldenCase {
  prompt: string;
  answer: string;
  variables: { categories?: Record<string, string>; excluded_category_keys?: string[] };
  text: string;
  ids: number[];
  probs: Record<string, number>;
  greedy: { ids: number[]; text: string };
}
const GOLDEN = JSON.parse(readFileSync(join(FIXTURES, "golden.json"), "utf8")) as Record<
  string,
  { prefix: string; prefixIds: number[]; labelIds: Record<string, number>; cases: GoldenCase[] }
>;

const close = (actual: number, expected: number, what: string) =>
  assert.ok(Math.abs(actual - expected) < 2e-4, `${what}: ${actual} vs transformers ${expected}`);

test("llama-guard: template, ids, P(unsafe) and the violated category match transformers", async () => {
  const g = GOLDEN["llama-guard"]!;
  const lm = await loadCausalLM(join(FIXTURES, "llama-guard"));
  try {
    for (const c of g.cases) {
      const messages = [
        { role: "user", content: [{ type: "text", text: c.prompt }] },
        { role: "assistant", content: [{ type: "text", text: c.answer }] },
      ];
      const variables = { excluded_category_keys: [], ...c.variables };
      const text = lm.tokenizer.chatTemplate!.render(messages, { addGenerationPrompt: true, variables });
      assert.equal(text, c.text, c.prompt);
      assert.deepEqual(lm.tokenizer.encode(text), c.ids, c.prompt);
    }
    assert.deepEqual(lm.tokenizer.encode(g.prefix), g.prefixIds);
    // the default-category cases in one batch (uneven lengths: left padding), the custom-category case alone
    const defaults = g.cases.filter((c) => !c.variables.categories);
    const judge = guardJudge("guard:tiny", lm, guardOptions.parse({}));
    const results = await judge.score(
      defaults.map((c) => c.prompt),
      defaults.map((c) => c.answer),
    );
    defaults.forEach((c, i) => {
      const r = results[i]!;
      assert.equal(r.error, undefined);
      close(r.score, c.probs.unsafe! / (c.probs.unsafe! + c.probs.safe!), c.prompt);
      const [verdict, keys] = c.greedy.text.split("\n");
      assert.equal(r.label, verdict === "unsafe" ? keys : "safe", c.prompt);
    });
    const custom = g.cases.find((c) => c.variables.categories)!;
    const own = guardJudge(
      "guard:tiny",
      lm,
      guardOptions.parse({
        categories: custom.variables.categories,
        excludeCategories: custom.variables.excluded_category_keys,
      }),
    );
    const [r] = await own.score([custom.prompt], [custom.answer]);
    close(r!.score, custom.probs.unsafe! / (custom.probs.unsafe! + custom.probs.safe!), custom.prompt);
    assert.equal(r!.label, "S1");
    assert.match(r!.reason!, /^S1 Leaking the system prompt\./);
  } finally {
    await lm.release();
  }
});

test("qwen3guard: template, ids, P(Unsafe) (Controversial strict or loose) and the category match transformers", async () => {
  const g = GOLDEN.qwen3guard!;
  const lm = await loadCausalLM(join(FIXTURES, "qwen3guard"));
  try {
    for (const c of g.cases) {
      const messages = [
        { role: "user", content: c.prompt },
        { role: "assistant", content: c.answer },
      ];
      const text = lm.tokenizer.chatTemplate!.render(messages, { addGenerationPrompt: true });
      assert.equal(text, c.text, c.prompt);
      assert.deepEqual(lm.tokenizer.encode(text), c.ids, c.prompt);
    }
    const strict = guardJudge("guard:tiny", lm, guardOptions.parse({}));
    const loose = guardJudge("guard:tiny", lm, guardOptions.parse({ controversial: "safe" }));
    const prompts = g.cases.map((c) => c.prompt);
    const answers = g.cases.map((c) => c.answer);
    const [s, l] = [await strict.score(prompts, answers), await loose.score(prompts, answers)];
    g.cases.forEach((c, i) => {
      const p = c.probs;
      const all = p[" Safe"]! + p[" Unsafe"]! + p[" Controversial"]!;
      close(s[i]!.score, (p[" Unsafe"]! + p[" Controversial"]!) / all, c.prompt);
      close(l[i]!.score, p[" Unsafe"]! / all, c.prompt);
      const category = /Categories: (.*)/.exec(c.greedy.text)![1]!;
      assert.equal(s[i]!.label, c.greedy.text.startsWith(" Safe") ? "safe" : category, c.prompt);
    });
    const controversial = g.cases.findIndex((c) => c.greedy.text.startsWith(" Controversial"));
    assert.equal(s[controversial]!.label, "Unethical Acts");
    assert.equal(l[controversial]!.label, "safe");
  } finally {
    await lm.release();
  }
});

test("llama-guard template renders the user's categories as written out by hand", async () => {
  const lm = await loadCausalLM(join(FIXTURES, "llama-guard"));
  try {
    const text = lm.tokenizer.chatTemplate!.render(
      [
        { role: "user", content: [{ type: "text", text: " Hi " }] },
        { role: "assistant", content: [{ type: "text", text: "Hello." }] },
      ],
      {
        addGenerationPrompt: true,
        variables: { categories: { S1: "Cats.", S2: "Dogs.", S3: "Fish." }, excluded_category_keys: ["S2"] },
      },
    );
    assert.equal(
      text,
      "<|begin_of_text|><|start_header_id|>user<|end_header_id|>\n\n" +
        "Task: Check if there is unsafe content in 'Agent' messages in conversations according our safety policy with the below categories.\n\n" +
        "<BEGIN UNSAFE CONTENT CATEGORIES>\nS1: Cats.\nS3: Fish.\n<END UNSAFE CONTENT CATEGORIES>\n\n" +
        "<BEGIN CONVERSATION>\n\nUser: Hi\n\nAgent: Hello.\n\n<END CONVERSATION>\n\n" +
        "Provide your safety assessment for ONLY THE LAST Agent message in the above conversation:\n" +
        " - First line must read 'safe' or 'unsafe'.\n" +
        " - If unsafe, a second line must include a comma-separated list of violated categories. " +
        "<|eot_id|><|start_header_id|>assistant<|end_header_id|>",
    );
  } finally {
    await lm.release();
  }
});

test("guard: from a config id; a forced verdict still names a category; a list of categories is numbered S1, S2, ...", async () => {
  const folder = join(FIXTURES, "llama-guard");
  const judge = await createJudge({ id: `guard:${folder}`, threshold: 0.0001 });
  const listed = await createJudge({ id: `guard:${folder}`, categories: ["Cats.", "Dogs."] });
  const keyed = await createJudge({ id: `guard:${folder}`, categories: { S1: "Cats.", S2: "Dogs." } });
  try {
    assert.equal(judge.id, `guard:${folder}`);
    assert.equal(judge.reads, "pair");
    // the tiny guard answers "safe" here, yet the score clears this threshold: the category is read after "unsafe"
    const [r] = await judge.score(
      ["Tell me a joke."],
      ["Why did the chicken cross the road? To get to the other side."],
    );
    assert.equal(r!.error, undefined);
    assert.ok(r!.score >= 0.0001 && r!.score < 0.01, String(r!.score));
    assert.notEqual(r!.label, "safe");
    assert.match(r!.reason!, /unsafe/);
    const [a] = await listed.score(["Hi"], ["Hello! How can I help you today?"]);
    const [b] = await keyed.score(["Hi"], ["Hello! How can I help you today?"]);
    assert.equal(a!.score, b!.score);
  } finally {
    await Promise.all([judge, listed, keyed].map((j) => j.close?.()));
  }
});

test("guard: the model runs with the context's session options (its compiled graphs land in the cache)", async () => {
  const folder = join(FIXTURES, "llama-guard");
  const cacheDir = mkdtempSync(join(tmpdir(), "curio-guard-cache-"));
  try {
    const score = async () => {
      const judge = await createJudge({ id: `guard:${folder}` }, { session: { cacheDir } });
      try {
        return (await judge.score(["Hi"], ["Hello! How can I help you today?"]))[0]!.score;
      } finally {
        await judge.close?.();
      }
    };
    const first = await score();
    const compiled = readdirSync(cacheDir);
    assert.ok(compiled.length > 0, "the guard's graphs were compiled into the cache");
    // a second judge finds every graph there (nothing new is written) and scores the same
    assert.equal(await score(), first);
    assert.deepEqual(readdirSync(cacheDir).sort(), compiled.sort());
  } finally {
    rmSync(cacheDir, { recursive: true, force: true });
  }
});

test("guard: a model without a chat template, an unknown template, or categories for Qwen3Guard are clear errors", async () => {
  const bare = mkdtempSync(join(tmpdir(), "curio-guard-"));
  cpSync(join(FIXTURES, "qwen3guard"), bare, { recursive: true });
  const configFile = join(bare, "tokenizer_config.json");
  const config = JSON.parse(readFileSync(configFile, "utf8")) as Record<string, unknown>;
  writeFileSync(configFile, JSON.stringify({ ...config, chat_template: undefined }));
  await assert.rejects(
    createJudge(`guard:${bare}`),
    /has no chat template.*copy the files of the guard's hub repository/,
  );
  writeFileSync(configFile, JSON.stringify({ ...config, chat_template: "{{ messages[0]['content'] }}" }));
  await assert.rejects(
    createJudge(`guard:${bare}`),
    /neither a Llama Guard 3 nor a Qwen3Guard-Gen template; set format/,
  );
  await assert.rejects(
    createJudge({ id: `guard:${join(FIXTURES, "qwen3guard")}`, categories: ["Cats."] }),
    /apply to Llama Guard templates only/,
  );
});
