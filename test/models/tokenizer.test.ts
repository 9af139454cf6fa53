// Tokenizers of the model families against the Rust `tokenizers` library (ids, decode) and transformers (special
// ids), on fixtures written by scripts/fixtures/tokenizer_reference.py.
import assert from "node:assert/strict";
import { join } from "node:path";
import { test } from "node:test";
import { loadTokenizer } from "../../src/models/index.js";
import { REFERENCE, TOKENIZERS } from "./tokenizer-fixtures.js";

const ADDS_BOS: Record<string, boolean> = { llama3: true, qwen2: false, smollm2: false, llama2: true };

for (const [style, ref] of Object.entries(REFERENCE.styles)) {
  test(`${style}: ids, ids with special tokens and decode equal the Rust tokenizers'`, async () => {
    const tok = await loadTokenizer(join(TOKENIZERS, style), { eosId: ref.eosId });
    assert.equal(tok.vocabSize, ref.vocabSize);
    for (const c of ref.cases) {
      const what = `${style} ${JSON.stringify(c.text)}`;
      assert.deepEqual(tok.encode(c.text), c.ids, `${what}: ids`);
      assert.deepEqual(
        tok.encode(c.text, { addSpecialTokens: true }),
        c.idsWithSpecial,
        `${what}: ids with special`,
      );
      assert.equal(tok.decode(c.ids), c.decoded, `${what}: decode`);
      assert.equal(tok.decode(c.idsWithSpecial), c.decodedWithSpecial, `${what}: decode with special`);
      c.prefixDecodes.forEach((t, k) => {
        assert.equal(tok.decode(c.ids.slice(0, k + 1)), t, `${what}: decode of the first ${k + 1} ids`);
      });
    }
  });

  test(`${style}: BOS, EOS and pad as transformers resolves them`, async () => {
    const tok = await loadTokenizer(join(TOKENIZERS, style), { eosId: ref.eosId });
    assert.equal(tok.bosId, ref.bosId);
    assert.equal(tok.eosId, ref.eosId);
    assert.deepEqual(tok.eosIds, [ref.eosId]);
    // transformers leaves pad unset for Llama; curio pads with EOS then
    assert.equal(tok.padId, ref.padId ?? ref.eosId);
    assert.equal(tok.addsBos, ADDS_BOS[style]);
  });
}

test("several EOS ids: the model's list, else the tokenizer's eos_token; bad ids are refused", async () => {
  const dir = join(TOKENIZERS, "qwen2");
  const ref = REFERENCE.styles.qwen2!;
  const endOfText = ref.padId!;
  const tok = await loadTokenizer(dir, { eosId: [endOfText, ref.eosId] });
  assert.deepEqual(tok.eosIds, [endOfText, ref.eosId]);
  assert.equal(tok.eosId, endOfText);
  const one = await loadTokenizer(dir, { eosId: endOfText, bosId: endOfText, padId: ref.eosId });
  assert.deepEqual(one.eosIds, [endOfText], "the model's list as given, as transformers' generate stops");
  assert.equal(one.bosId, endOfText, "Qwen's tokenizer has no bos_token: the model's bos_token_id");
  assert.equal(one.padId, endOfText, "the tokenizer's pad_token comes before the model's pad_token_id");
  assert.equal(one.addsBos, false);
  const padded = await loadTokenizer(dir, { eosId: ref.eosId, bosId: 800, padId: 801, modelVocabSize: 896 });
  assert.deepEqual([padded.bosId, padded.padId], [null, endOfText], "ids past the tokenizer are not used");
  const fromConfigOnly = await loadTokenizer(dir);
  assert.deepEqual(fromConfigOnly.eosIds, [ref.eosId], "tokenizer_config.json's eos_token alone");
  assert.equal(tok.tokenId("<|im_start|>"), tok.encode("<|im_start|>")[0]);
  await assert.rejects(
    loadTokenizer(dir, { eosId: [ref.eosId, 99_999] }),
    /eos_token_id 99999 is not in the tokenizer vocabulary/,
  );
  await assert.rejects(
    loadTokenizer(dir, { modelVocabSize: 10 }),
    /has 707 tokens but the model's vocab_size is 10/,
  );
  await assert.rejects(
    loadTokenizer(join(TOKENIZERS, "missing")),
    /tokenizer\.json: cannot read the tokenizer \(the file is missing\)/,
  );
});
