// The curio.yaml shown in the README is a real, valid config: the schema and every provider's options accept it.
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { test } from "node:test";
import { checkProviderSpecs, parseConfig, parseYamlText } from "../../src/config/index.js";

test("the README's curio.yaml validates", () => {
  const readme = readFileSync(join(import.meta.dirname, "../../README.md"), "utf8");
  const block = /A minimal `curio.yaml`[\s\S]*?```yaml\n([\s\S]*?)```/.exec(readme)?.[1];
  assert.ok(block, "the README has a curio.yaml example");
  const config = parseConfig(parseYamlText(block, "README.md"), "README.md");
  assert.deepEqual(checkProviderSpecs(config), []);
  assert.equal(config.judge.id, "llm-judge");
  assert.equal(config.redteam.trainable.type, "lora");
});
