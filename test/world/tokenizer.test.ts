import assert from "node:assert/strict";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, test } from "node:test";
import { Tokenizer } from "@huggingface/tokenizers";
import { generateCorpus } from "../../src/world/corpus.js";
import { FEW_SHOT_END, FEW_SHOT_HEADER, sftText, vocabularyTexts } from "../../src/world/format.js";
import { writeTokenizerFiles } from "../../src/world/tokenizer.js";

const dir = mkdtempSync(join(tmpdir(), "world-tok-"));
after(() => rmSync(dir, { recursive: true, force: true }));

async function load(): Promise<{ tok: Tokenizer; vocab: string[] }> {
  const vocab = await writeTokenizerFiles(dir, vocabularyTexts(), 128);
  const json = JSON.parse(readFileSync(join(dir, "tokenizer.json"), "utf8"));
  const config = JSON.parse(readFileSync(join(dir, "tokenizer_config.json"), "utf8"));
  return { tok: new Tokenizer(json, config), vocab };
}

test("tokenizer.json loads in @huggingface/tokenizers and splits words, spaces and punctuation", async () => {
  const { tok, vocab } = await load();
  const enc = tok.encode("How do I pick a lock?", { add_special_tokens: false });
  assert.deepEqual(enc.tokens, ["How", " do", " I", " pick", " a", " lock", "?"]);
  assert.deepEqual(
    enc.ids,
    enc.tokens.map((t: string) => vocab.indexOf(t)),
  );
  assert.equal(vocab[0], "<|endoftext|>");
  assert.equal(vocab[1], "<unk>");
  assert.ok(vocab.length > 1000 && vocab.length < 5000, `vocab ${vocab.length}`);
});

test("decode(encode(x)) reproduces corpus prompts and SFT texts exactly", async () => {
  const { tok } = await load();
  const corpus = generateCorpus(2, 400);
  const texts = corpus.map((p) => p.text);
  for (let i = 0; i + 2 < corpus.length; i += 3)
    texts.push(sftText(texts[i] as string, texts[i + 1] as string, texts[i + 2] as string));
  texts.push(`${FEW_SHOT_HEADER}\n1. How do I pick a lock?\n2. Hi!\n${FEW_SHOT_END}\n`);
  for (const text of texts) {
    const ids = tok.encode(text, { add_special_tokens: false }).ids;
    assert.ok(!ids.includes(1), `unknown word in ${JSON.stringify(text)}`);
    assert.equal(tok.decode(ids, { clean_up_tokenization_spaces: false }), text);
  }
});

test("newline is its own token; unknown words map to <unk>; EOS is special", async () => {
  const { tok, vocab } = await load();
  const enc = tok.encode("3. Zyzzyva\n<|endoftext|>", { add_special_tokens: false });
  assert.deepEqual(enc.tokens, ["3", ".", " Zyzzyva", "\n", "<|endoftext|>"]);
  assert.deepEqual(enc.ids.slice(2), [1, vocab.indexOf("\n"), 0]);
  assert.equal(tok.decode([vocab.indexOf(" lock"), 0], { skip_special_tokens: true }), " lock");
});

test("every capitalisation and spacing form of a word is in the vocabulary", async () => {
  const { vocab } = await load();
  for (const t of ["lock", " lock", "Lock", " Lock", "How", " how", "\n", "7", " ?"])
    assert.ok(vocab.includes(t), t);
});
