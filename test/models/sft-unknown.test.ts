// `curio sft` on text with words the tokenizer does not know: they train as the unknown token, which the
// user is told (count and examples), not silently. A byte-level tokenizer (GPT-2) has no unknown words.
import assert from "node:assert/strict";
import { copyFileSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, test } from "node:test";
import { loadTokenizer, readSftData, sft } from "../../src/models/index.js";
import { writeTokenizerFiles } from "../../src/world/tokenizer.js";

const tiny = new URL("fixtures/tiny-gpt2/", import.meta.url).pathname;
const dir = mkdtempSync(join(tmpdir(), "curio-sft-unk-"));
after(() => rmSync(dir, { recursive: true, force: true }));

test("words missing from a word-level vocabulary are counted and named; GPT-2's byte-level BPE has none", async () => {
  // the tiny GPT-2's weights with a word-level tokenizer that knows only "hello world" (eos = id 0)
  const model = join(dir, "model");
  await writeTokenizerFiles(model, ["hello world"], 64);
  copyFileSync(join(tiny, "model.safetensors"), join(model, "model.safetensors"));
  const config = JSON.parse(readFileSync(join(tiny, "config.json"), "utf8"));
  writeFileSync(join(model, "config.json"), JSON.stringify({ ...config, bos_token_id: 0, eos_token_id: 0 }));
  const data = join(dir, "data.jsonl");
  writeFileSync(data, '{"text": "hello Zyzzyva world"}\n{"text": "hello Qux Zyzzyva"}\n{"ids": [1, 2]}\n');

  const words = await loadTokenizer(model, { eosId: 0 });
  const unknown = { count: 0, examples: [] as string[] };
  await readSftData(data, words, { vocabSize: 300, unknown });
  assert.deepEqual(unknown, { count: 3, examples: ["Zyzzyva", "Qux"] });

  const bpe = await loadTokenizer(tiny, { eosId: 299 });
  const none = { count: 0, examples: [] as string[] };
  await readSftData(data, bpe, { vocabSize: 300, unknown: none });
  assert.deepEqual(none, { count: 0, examples: [] });

  const warnings: string[] = [];
  const result = await sft({ model, data, steps: 1, batchSize: 1, onWarning: (m) => warnings.push(m) });
  assert.equal(result.unknownWords.count, 3);
  assert.equal(warnings.length, 1);
  assert.match(
    warnings[0]!,
    /^3 token\(s\) of the training text are not in the tokenizer's vocabulary .*"Zyzzyva", "Qux"/,
  );
});
