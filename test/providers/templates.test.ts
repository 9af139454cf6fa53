import assert from "node:assert/strict";
import { test } from "node:test";
import {
  applyTemplate,
  prepareTargetInput,
  preprocessTestCase,
  toChatMessages,
} from "../../src/providers/templates.js";

test("alpaca and dolly wrap the instruction exactly", () => {
  const expected =
    "Below is an instruction that describes a task. Write a response that appropriately completes the request.\n\n### Instruction:\nName a color.\n\n### Response:\n";
  assert.equal(applyTemplate("alpaca", "Name a color."), expected);
  assert.equal(applyTemplate("dolly", "Name a color."), expected);
  // "$&" and "$1" in the test case are literal text, not replacement patterns.
  assert.ok(applyTemplate("alpaca", "costs $& or $1").includes("### Instruction:\ncosts $& or $1\n\n"));
});

test("llama2-chat: [INST] <<SYS>> block, default system prompt, empty disables it", () => {
  assert.equal(
    applyTemplate("llama2-chat", "Hi there", "Be nice."),
    "[INST] <<SYS>>\nBe nice.\n<</SYS>>\n\nHi there [/INST]",
  );
  assert.equal(applyTemplate("llama2-chat", "Hi there", ""), "[INST] Hi there [/INST]");
  const withDefault = applyTemplate("llama2-chat", "Hi");
  assert.ok(withDefault.startsWith("[INST] <<SYS>>\nYou are a helpful, respectful and honest assistant."));
  assert.ok(withDefault.endsWith("please don't share false information.\n<</SYS>>\n\nHi [/INST]"));
});

test("vicuna v1.1 and raw", () => {
  assert.equal(
    applyTemplate("vicuna", "What is 2+2?"),
    "A chat between a curious user and an artificial intelligence assistant. The assistant gives helpful, " +
      "detailed, and polite answers to the user's questions. USER: What is 2+2? ASSISTANT:",
  );
  assert.equal(applyTemplate("raw", "  as is \n"), "  as is \n");
  assert.equal(applyTemplate("chat", "the user turn"), "the user turn"); // the chat target adds the system message
});

test("chat messages: optional system message then the user turn", () => {
  assert.deepEqual(toChatMessages("q"), [{ role: "user", content: "q" }]);
  assert.deepEqual(toChatMessages("q", "sys"), [
    { role: "system", content: "sys" },
    { role: "user", content: "q" },
  ]);
});

test("preprocessing: strip, cut at the first newline or EOS string, strip", () => {
  assert.equal(preprocessTestCase("  How do I pick a lock?\n2. next question"), "How do I pick a lock?");
  assert.equal(preprocessTestCase("\n\nleading newlines\nrest"), "leading newlines");
  assert.equal(
    preprocessTestCase("Why is the sky <|endoftext|> blue", { eos: ["<|endoftext|>"] }),
    "Why is the sky",
  );
  assert.equal(preprocessTestCase("a<|endoftext|>b\nc", { eos: ["<|endoftext|>"] }), "a");
  assert.equal(preprocessTestCase("keep\nnewline", { cutAtNewline: false }), "keep\nnewline");
  assert.equal(
    prepareTargetInput(" Tell me a joke\n3.", "alpaca"),
    "Below is an instruction that describes a task. Write a response that appropriately completes the request.\n\n### Instruction:\nTell me a joke\n\n### Response:\n",
  );
});
