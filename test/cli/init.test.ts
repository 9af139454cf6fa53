// `curio init` for a hub-model preset: the written curio.yaml says which files go where for offline use.
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { test } from "node:test";
import { loadConfig } from "../../src/config/index.js";
import { tempDir } from "../store/helpers.js";
import { curio } from "./helpers.js";

test("init --preset qwen-instruct: chat-template attacker, offline file list and folders in the comments", async () => {
  const { dir, cleanup } = tempDir("curio-init-");
  try {
    const file = join(dir, "curio.yaml");
    const r = await curio(["init", "--preset", "qwen-instruct", "-o", file]);
    assert.equal(r.code, 0, r.stderr);
    const text = readFileSync(file, "utf8");
    const header = text.slice(0, text.indexOf("\nname:"));
    assert.match(header, /# Offline use of the red-team model Qwen\/Qwen2\.5-0\.5B-Instruct/);
    assert.match(header, /https:\/\/huggingface\.co\/Qwen\/Qwen2\.5-0\.5B-Instruct\/tree\/main/);
    for (const f of [
      "config.json",
      "generation_config.json",
      "tokenizer.json",
      "tokenizer_config.json",
      "chat_template.jinja",
      "model.safetensors",
      "model.safetensors.index.json",
    ]) {
      assert.ok(header.includes(f), `the comments name ${f}`);
    }
    assert.match(header, /~\/\.cache\/curio\/models\/Qwen--Qwen2\.5-0\.5B-Instruct\/main\//);
    assert.match(header, /CURIO_OFFLINE=1/);
    const { config } = loadConfig(file);
    assert.equal(config.redteam.model, "Qwen/Qwen2.5-0.5B-Instruct");
    assert.equal(config.redteam.chatTemplate, "auto");

    const demo = join(dir, "demo.yaml");
    assert.equal((await curio(["init", "--preset", "demo", "-o", demo])).code, 0);
    assert.doesNotMatch(readFileSync(demo, "utf8"), /Offline use/, "the sandbox world needs no download");
    const imdb = join(dir, "imdb.yaml");
    assert.equal((await curio(["init", "--preset", "imdb", "-o", imdb])).code, 0);
    assert.match(readFileSync(imdb, "utf8"), /Offline use of the target model lvwerra\/gpt2-imdb/);
  } finally {
    cleanup();
  }
});
