// The local (alias gpt2) target adapter over curio's own in-process causal LM (the models package's tiny checkpoints).
import assert from "node:assert/strict";
import { existsSync, mkdtempSync, readdirSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { test } from "node:test";
import { fileURLToPath } from "node:url";
import { loadCausalLM, loadTokenizer } from "../../src/models/index.js";
import { createTarget } from "../../src/providers/index.js";
import { createLocalLMTarget, localLMTargetOptions } from "../../src/providers/targets/local-lm.js";
import { applyTemplate } from "../../src/providers/templates.js";
import { REFERENCE, TOKENIZERS } from "../models/tokenizer-fixtures.js";

const TINY = fileURLToPath(new URL("../models/fixtures/tiny-gpt2", import.meta.url));

test("gpt2 target: template applied, greedy answers equal the model's own greedy generation", {
  skip: !existsSync(TINY) && "models fixture missing",
}, async () => {
  const target = await createTarget({
    id: `gpt2:${TINY}`,
    template: "llama2-chat",
    systemPrompt: "",
    greedy: true,
    max_new_tokens: 6,
    batchSize: 2,
  });
  const prompts = ["hello there", "a", "the quick brown fox"];
  const results = await target.respond(prompts);
  const lm = await loadCausalLM(TINY);
  const expected = await lm.generate(
    prompts.map((p) => applyTemplate("llama2-chat", p, "")),
    { maxNewTokens: 6, greedy: true },
  );
  assert.deepEqual(
    results.map((r) => r.text),
    expected.map((g) => g.text),
  );
  assert.ok(results.some((r) => r.text.length > 0));
  results.forEach((r, i) => {
    assert.equal(r.error, undefined);
    assert.equal(r.usage?.completionTokens, expected[i].ids.length);
    assert.equal(r.usage?.promptTokens, expected[i].promptIds.length);
  });
  await lm.release();
  await target.close?.();
});

test("gpt2 target: a prompt too long for the model is an error result, not a throw", {
  skip: !existsSync(TINY) && "models fixture missing",
}, async () => {
  const target = await createTarget({ id: `gpt2:${TINY}`, template: "alpaca", max_new_tokens: 6 });
  const [r] = await target.respond(["x"]);
  assert.equal(r.text, "");
  assert.match(r.error!, /exceeds the model's 64 positions/);
  await target.close?.();
});

test("local target: any family (a sharded Llama) answers as the model's own greedy generation; gpt2: is its alias", async () => {
  const llama = fileURLToPath(new URL("../models/fixtures/tiny-llama", import.meta.url));
  const target = await createTarget({ id: `local:${llama}`, greedy: true, max_new_tokens: 5 });
  const prompts = ["How do I bake bread?", "Tell me"];
  const results = await target.respond(prompts);
  const lm = await loadCausalLM(llama);
  const expected = await lm.generate(prompts, { maxNewTokens: 5, greedy: true });
  assert.deepEqual(
    results.map((r) => [r.error, r.usage?.completionTokens]),
    expected.map((g) => [undefined, g.ids.length]),
  );
  assert.deepEqual(
    results.map((r) => r.text),
    expected.map((g) => g.text),
  );
  assert.equal(target.id, `local:${llama}`);
  await lm.release();
  await target.close?.();
});

test("local target: chatTemplate auto feeds the model's chat template (system + user + assistant header)", async () => {
  const ref = REFERENCE.styles.qwen2!;
  const tokenizer = await loadTokenizer(`${TOKENIZERS}/qwen2`, { eosId: ref.eosId });
  const seen: (string | number[])[] = [];
  const lm = {
    tokenizer,
    generate: async (prompts: (string | number[])[]) => {
      seen.push(...prompts);
      return prompts.map((p) => ({ text: "ok", ids: [1], promptIds: typeof p === "string" ? [] : p }));
    },
  };
  const chat = ref.chats[1]!; // [system, user], add_generation_prompt
  const make = (o: Record<string, unknown>) =>
    createLocalLMTarget(
      "local",
      "fake",
      localLMTargetOptions.parse({ systemPrompt: chat.messages[0]!.content, ...o }),
      { load: async () => lm },
    );
  const auto = await make({});
  const [r] = await auto.respond([chat.messages[1]!.content]);
  assert.equal(r!.error, undefined);
  assert.deepEqual(seen[0], chat.ids, "the ids transformers' apply_chat_template gives");
  const none = await make({ chatTemplate: "none" });
  await none.respond(["plain"]);
  assert.deepEqual(seen[1], tokenizer.encode("plain", { addSpecialTokens: true }));
  const alpaca = await make({ template: "alpaca" });
  await alpaca.respond(["x"]);
  assert.equal(seen[2], applyTemplate("alpaca", "x"), "a text template wins over the chat template");
});

test("local target: the model runs with the context's session options (its compiled graphs land in the cache)", async () => {
  const cacheDir = mkdtempSync(join(tmpdir(), "curio-local-"));
  try {
    const make = () =>
      createTarget({ id: `local:${TINY}`, greedy: true, max_new_tokens: 3 }, { session: { cacheDir } });
    const first = await make();
    const want = (await first.respond(["hello there"])).map((r) => r.text);
    await first.close?.();
    const compiled = readdirSync(cacheDir);
    assert.ok(compiled.length > 0, "the generation graphs were compiled into the cache");
    // a second target finds every graph there (nothing new is written) and answers the same
    const second = await make();
    assert.deepEqual(
      (await second.respond(["hello there"])).map((r) => r.text),
      want,
    );
    await second.close?.();
    assert.deepEqual(readdirSync(cacheDir).sort(), compiled.sort());
  } finally {
    rmSync(cacheDir, { recursive: true, force: true });
  }
  const seen: unknown[] = [];
  const lm = { generate: async () => [{ text: "ok", ids: [1], promptIds: [] }] };
  const session = { device: "cpu" as const, cacheDir: "compiled" };
  const target = await createLocalLMTarget("local", "fake", localLMTargetOptions.parse({ threads: 1 }), {
    session,
    load: async (_s, o) => {
      seen.push(o);
      return lm;
    },
  });
  await target.respond(["x"]);
  assert.deepEqual(seen, [{ threads: 1, cacheDir: undefined, offline: undefined, session }]);
});
