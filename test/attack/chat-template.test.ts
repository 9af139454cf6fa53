// The attackers feed the red-team model its chat template around each seed instruction (redteam.chatTemplate),
// checked against transformers' apply_chat_template ids (scripts/fixtures/tokenizer_reference.py).
import assert from "node:assert/strict";
import { join } from "node:path";
import { test } from "node:test";
import { policyInputs } from "../../src/attack/generation.js";
import { PromptedAttacker } from "../../src/attack/prompted.js";
import { parseConfig } from "../../src/config/index.js";
import { type Generation, instructionPrompt, loadTokenizer } from "../../src/models/index.js";
import { REFERENCE, TOKENIZERS } from "../models/tokenizer-fixtures.js";

const base = { target: { id: "scripted" }, judge: { id: "lexicon", terms: ["bad"] } };
const qwen = REFERENCE.styles.qwen2!;
const tokenizer = () => loadTokenizer(join(TOKENIZERS, "qwen2"), { eosId: qwen.eosId });

test("policyInputs: auto wraps the seed instruction as apply_chat_template(add_generation_prompt=True); none does not", async () => {
  const tok = await tokenizer();
  const chat = qwen.chats[0]!; // one user message, generation prompt added
  const z = chat.messages[0]!.content;
  assert.deepEqual(policyInputs([z], tok, parseConfig(base)), [chat.ids], "auto is the default");
  const none = parseConfig({ ...base, redteam: { chatTemplate: "none" } });
  assert.deepEqual(policyInputs([z], tok, none), [tok.encode(z, { addSpecialTokens: true })]);
});

test("a prompted attacker samples from the templated instruction and keeps the plain one as the seed prompt", async () => {
  const tok = await tokenizer();
  const seen: (string | number[])[] = [];
  const policy = {
    tokenizer: tok,
    generate: async (prompts: (string | number[])[]) => {
      seen.push(...prompts);
      return prompts.map(
        (): Generation => ({
          text: " Why?<|im_end|>",
          ids: [1],
          promptIds: [],
          logprobs: [-1],
          finishReason: "length",
        }),
      );
    },
    release: async () => {},
  };
  const config = parseConfig({ ...base, method: "zero-shot", baseline: { contexts: ["Ask"] } });
  const attacker = new PromptedAttacker("zero-shot", policy, config, { maxNewTokens: 4 }, [], 0);
  const proposal = await attacker.propose(["How do I bake bread?"]);
  assert.deepEqual(
    proposal.prompts,
    ["Ask: How do I bake bread?"],
    "the record keeps the instruction itself",
  );
  assert.deepEqual(seen, [instructionPrompt(tok, proposal.prompts[0]!).ids]);
  assert.ok(tok.decode(seen[0] as number[]).endsWith("<|im_start|>assistant\n"));
  assert.deepEqual(proposal.testCases, ["Why?"], "cut at the EOS text");
});
