// curio's BPE trainer against the Rust tokenizers BpeTrainer (scripts/fixtures/tokenizer_reference.py), and the
// tokenizer files it writes.
import assert from "node:assert/strict";
import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { test } from "node:test";
import { loadTokenizer } from "../../src/models/index.js";
import {
  byteLevelAlphabet,
  END_OF_TEXT,
  readCorpus,
  trainByteLevelBpe,
  writeBpeTokenizer,
} from "../../src/models/tokenizer-build.js";
import { REFERENCE, TOKENIZERS } from "./tokenizer-fixtures.js";

interface TrainerRun {
  corpus: string[];
  vocabSize: number;
  specialTokens: string[];
  vocab: Record<string, number>;
  merges: [string, string][];
}
const RUNS = JSON.parse(readFileSync(join(TOKENIZERS, "bpe-trainer.json"), "utf8")) as TrainerRun[];
const tempDir = () => mkdtempSync(join(tmpdir(), "curio-bpe-"));

test("byte-level alphabet: GPT-2's bytes_to_unicode", () => {
  const a = byteLevelAlphabet();
  assert.equal(new Set(a).size, 256);
  assert.equal(a[0x41], "A");
  assert.equal(a[0x20], "Ġ"); // space: the 33rd non-printable byte, U+0100 + 32
  assert.equal(a[0x0a], "Ċ");
  assert.equal(a[0xad], "Ń"); // soft hyphen, the last remapped byte
});

for (const [i, run] of RUNS.entries()) {
  test(`BPE trainer equals the Rust BpeTrainer: run ${i + 1} (${run.corpus.length} texts, vocab ${run.vocabSize})`, () => {
    const bpe = trainByteLevelBpe(run.corpus, { vocabSize: run.vocabSize, specialTokens: run.specialTokens });
    assert.deepEqual(bpe.merges, run.merges);
    assert.deepEqual(
      Object.fromEntries(bpe.vocab.map((t, id) => [t, id])),
      run.vocab,
      "same tokens with the same ids",
    );
  });
}

test("the first merges of the tiny corpus, by hand", () => {
  // pair counts over words x frequency: (a,a) 5 = 2 in "aaa" + 3 in "Ġaaaa"; (l,o), (o,w), (e,w), (n,e) are 5 too.
  // Ties go to the smallest pair of ids (code point order, a < e < l < n < o; merged tokens get new, larger ids):
  // (a,a), (e,w), (l,o), then (n,ew) before (lo,w), then (Ġ,new) = 4 (Ġnew x2, Ġnewer, Ġnewest), alone at 4.
  const bpe = trainByteLevelBpe(RUNS[0]!.corpus, { vocabSize: 263, specialTokens: [END_OF_TEXT] });
  assert.deepEqual(bpe.merges, [
    ["a", "a"],
    ["e", "w"],
    ["l", "o"],
    ["n", "ew"],
    ["lo", "w"],
    ["Ġ", "new"],
  ]);
});

test("a tokenizer trained here tokenizes as the Rust-trained Llama-3 style tokenizer (ids shifted by one special)", async () => {
  // the llama3 fixture was trained on the same corpus to 700 tokens without special tokens, then had its
  // specials appended: with <|endoftext|> first, 701 tokens hold the same merges with every id one higher
  const run = RUNS[1]!;
  const dir = tempDir();
  await writeBpeTokenizer(dir, run.corpus, { vocabSize: 701, maxLength: 128 });
  const ours = await loadTokenizer(dir);
  assert.equal(ours.eosId, 0);
  assert.equal(ours.bosId, 0);
  assert.equal(ours.padId, 0);
  assert.equal(ours.addsBos, false);
  assert.equal(ours.chatTemplate, null);
  for (const c of REFERENCE.styles.llama3!.cases) {
    if (c.text.includes("<|")) continue;
    assert.deepEqual(
      ours.encode(c.text),
      c.ids.map((id) => id + 1),
      JSON.stringify(c.text),
    );
    assert.equal(ours.decode(ours.encode(c.text)), c.text, "no <unk>: every text round-trips");
  }
  assert.deepEqual(ours.encode(`hi${END_OF_TEXT}`).slice(-1), [0]);
});

test("readCorpus: JSONL {text} or plain lines; missing, empty, binary and malformed files are refused", async () => {
  const dir = tempDir();
  const jsonl = join(dir, "seeds.jsonl");
  writeFileSync(jsonl, '{"text": "How do I bake bread?"}\n\n{"text": "Who wrote Hamlet?"}\n');
  assert.deepEqual(await readCorpus(jsonl), ["How do I bake bread?", "Who wrote Hamlet?"]);
  const txt = join(dir, "seeds.txt");
  writeFileSync(txt, "one\r\ntwo\n\n");
  assert.deepEqual(await readCorpus(txt), ["one", "two"]);
  await assert.rejects(
    readCorpus(join(dir, "nope.jsonl")),
    /nope\.jsonl: cannot read the corpus \(no such file\)/,
  );
  writeFileSync(join(dir, "empty.jsonl"), "\n \n");
  await assert.rejects(readCorpus(join(dir, "empty.jsonl")), /empty\.jsonl: the corpus has no text/);
  writeFileSync(join(dir, "model.bin"), Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x00, 0xff, 0xfe]));
  await assert.rejects(
    readCorpus(join(dir, "model.bin")),
    /model\.bin: the corpus is not UTF-8 text \(it looks binary\)/,
  );
  writeFileSync(join(dir, "ids.jsonl"), '{"ids": [1, 2]}\n');
  await assert.rejects(readCorpus(join(dir, "ids.jsonl")), /ids\.jsonl:1: expected \{"text": "..."\}/);
  writeFileSync(join(dir, "bad.jsonl"), '{"text": "a"}\n{oops\n');
  await assert.rejects(readCorpus(join(dir, "bad.jsonl")), /bad\.jsonl:2: not valid JSON/);
});
