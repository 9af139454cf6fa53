// Chat templates of Qwen2.5-Instruct, Llama-3.2-Instruct and SmolLM2-Instruct rendered by curio against
// transformers' apply_chat_template (scripts/fixtures/tokenizer_reference.py), the template file forms, errors.
import assert from "node:assert/strict";
import { cpSync, mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { test } from "node:test";
import { ChatTemplate, instructionPrompt, loadTokenizer, strftime } from "../../src/models/index.js";
import { FIXED_NOW, REFERENCE, TOKENIZERS } from "./tokenizer-fixtures.js";

const load = (dir: string, style: string) => loadTokenizer(dir, { eosId: REFERENCE.styles[style]!.eosId });

function copyStyle(style: string): string {
  const dir = mkdtempSync(join(tmpdir(), `curio-chat-${style}-`));
  cpSync(join(TOKENIZERS, style), dir, { recursive: true });
  return dir;
}

const readConfig = (dir: string) => JSON.parse(readFileSync(join(dir, "tokenizer_config.json"), "utf8"));
const writeConfig = (dir: string, config: unknown) =>
  writeFileSync(join(dir, "tokenizer_config.json"), JSON.stringify(config));

for (const style of ["qwen2", "llama3", "smollm2"]) {
  test(`${style}: the chat template renders byte-identical to transformers' apply_chat_template`, async () => {
    const ref = REFERENCE.styles[style]!;
    const tok = await load(join(TOKENIZERS, style), style);
    assert.ok(tok.chatTemplate, "the fixture ships a chat template");
    assert.ok(ref.chats.length >= 4);
    for (const chat of ref.chats) {
      const text = tok.chatTemplate.render(chat.messages, {
        addGenerationPrompt: chat.add_generation_prompt,
        now: FIXED_NOW,
      });
      assert.equal(text, chat.text, `${style}: ${JSON.stringify(chat.messages)}`);
      assert.deepEqual(tok.encode(text), chat.ids, `${style}: ids of the rendered chat`);
    }
  });

  test(`${style}: instructionPrompt wraps a seed instruction as apply_chat_template(add_generation_prompt=True)`, async () => {
    const ref = REFERENCE.styles[style]!;
    const tok = await load(join(TOKENIZERS, style), style);
    const [userOnly, withSystem] = ref.chats;
    const p = instructionPrompt(tok, userOnly!.messages[0]!.content, { now: FIXED_NOW });
    assert.deepEqual(p, { text: userOnly!.text, ids: userOnly!.ids, templated: true });
    const s = instructionPrompt(tok, withSystem!.messages[1]!.content, {
      systemPrompt: withSystem!.messages[0]!.content,
      now: FIXED_NOW,
    });
    assert.equal(s.text, withSystem!.text);
    assert.deepEqual(s.ids, withSystem!.ids);
    const plain = instructionPrompt(tok, "Ask questions:", { chatTemplate: "none" });
    assert.deepEqual(plain, {
      text: "Ask questions:",
      ids: tok.encode("Ask questions:", { addSpecialTokens: true }),
      templated: false,
    });
  });
}

test("no chat template (llama2): auto falls back to the plain text with the tokenizer's BOS", async () => {
  const ref = REFERENCE.styles.llama2!;
  const tok = await load(join(TOKENIZERS, "llama2"), "llama2");
  assert.equal(tok.chatTemplate, null);
  const c = ref.cases.find((x) => x.text === "Hello world")!;
  assert.deepEqual(instructionPrompt(tok, "Hello world"), {
    text: "Hello world",
    ids: c.idsWithSpecial,
    templated: false,
  });
  assert.equal(c.idsWithSpecial[0], ref.bosId);
});

test("template forms: the list of named templates picks default; chat_template.jinja wins over tokenizer_config.json", async () => {
  const ref = REFERENCE.styles.smollm2!;
  const smol = copyStyle("smollm2");
  const config = readConfig(smol);
  writeConfig(smol, {
    ...config,
    chat_template: [
      { name: "tool_use", template: "{{ 'tools' }}" },
      { name: "default", template: config.chat_template },
    ],
  });
  const listed = await load(smol, "smollm2");
  assert.equal(
    listed.chatTemplate!.render(ref.chats[0]!.messages, { addGenerationPrompt: true }),
    ref.chats[0]!.text,
  );

  const qwen = copyStyle("qwen2");
  writeConfig(qwen, { ...readConfig(qwen), chat_template: "{{ 'not this one' }}" });
  const qref = REFERENCE.styles.qwen2!;
  const tok = await load(qwen, "qwen2");
  assert.ok(tok.chatTemplate!.origin.endsWith("chat_template.jinja"));
  assert.equal(
    tok.chatTemplate!.render(qref.chats[0]!.messages, { addGenerationPrompt: true }),
    qref.chats[0]!.text,
  );
});

test("template errors name the file and the problem", async () => {
  const smol = copyStyle("smollm2");
  const config = readConfig(smol);
  writeConfig(smol, {
    ...config,
    chat_template: [
      { name: "tool_use", template: "x" },
      { name: "rag", template: "y" },
    ],
  });
  await assert.rejects(
    load(smol, "smollm2"),
    /tokenizer_config\.json \(chat_template\): the model has chat templates named tool_use, rag but none named "default"/,
  );
  writeConfig(smol, { ...config, chat_template: 42 });
  await assert.rejects(
    load(smol, "smollm2"),
    /expected a string or a list of \{"name", "template"\} objects, got number/,
  );
  writeConfig(smol, { ...config, chat_template: "{% for m in messages %}{{ m.content }" });
  await assert.rejects(
    load(smol, "smollm2"),
    /tokenizer_config\.json \(chat_template\): the chat template cannot be parsed/,
  );
  const raising = new ChatTemplate("{{ raise_exception('only user turns') }}", "model/chat_template.jinja");
  assert.throws(
    () => raising.render([{ role: "user", content: "hi" }]),
    /model\/chat_template\.jinja: rendering the chat template failed \(the template raised: only user turns\)/,
  );
  assert.throws(() => raising.render([]), /no messages/);
});

test("strftime_now follows Python's strftime in the C locale", () => {
  const d = new Date(2025, 2, 7, 9, 5, 4); // Friday 7 March 2025, 09:05:04
  assert.equal(strftime(d, "%d %b %Y"), "07 Mar 2025");
  assert.equal(
    strftime(d, "%A %a %B %m/%d/%y %H:%M:%S %I%p %j %e %%"),
    "Friday Fri March 03/07/25 09:05:04 09AM 066  7 %",
  );
  assert.equal(strftime(new Date(2024, 11, 31, 12), "%j %I %p"), "366 12 PM");
  const t = new ChatTemplate('{{ strftime_now("%d %b %Y") }}|{{ bos_token }}', "t", { bos_token: "<s>" });
  assert.equal(t.render([{ role: "user", content: "x" }], { now: d }), "07 Mar 2025|<s>");
  assert.equal(
    t.render([{ role: "user", content: "x" }], { now: d, variables: { bos_token: "B" } }),
    "07 Mar 2025|B",
  );
});
