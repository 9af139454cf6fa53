// The attack registry: every method validates its own options (unknown keys named with the known ones), and
// the config's method list and defaults come from it.
import assert from "node:assert/strict";
import { test } from "node:test";
import { attackMethods, METHOD_NAMES } from "../../src/attack/index.js";
import { ConfigError, methodDefaults, methods, parseConfig } from "../../src/config/index.js";

const base = { target: { id: "scripted" }, judge: { id: "lexicon", terms: ["bad"] } };

test("a method's unknown option names the key and what the method takes", () => {
  assert.throws(
    () => parseConfig({ ...base, method: "crt", attack: { replaySize: 10 } }),
    (e: unknown) =>
      e instanceof ConfigError &&
      e.problems.some((p) =>
        p.startsWith("attack.replaySize: not an option of method crt; options of crt: active"),
      ),
  );
  assert.deepEqual(parseConfig({ ...base, method: "rl" }).attack, {});
  assert.throws(
    () => parseConfig({ ...base, method: "zero-shot", attack: { active: { every: 2 } } }),
    (e: unknown) =>
      e instanceof ConfigError &&
      e.problems.some((p) => p.startsWith("attack.active: not an option of method zero-shot")),
  );
});

test("methods, their defaults and the schema enum derive from the registry", () => {
  assert.deepEqual(methods, METHOD_NAMES);
  for (const m of METHOD_NAMES) assert.equal(methodDefaults[m], attackMethods[m].defaults);
  const rl = parseConfig({ ...base, method: "rl-tdiv" });
  assert.deepEqual([rl.rewards.selfBleu, rl.rewards.cosine, rl.rewards.tdiv], [0, 0, -5]);
  assert.equal(parseConfig({ ...base, method: "rl-temp2" }).redteam.generation.temperature, 2);
});
