// The committed JSON Schema and the key reference in docs/config.md match the zod schema.
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { test } from "node:test";
import { parse } from "yaml";
import { schemaFileText, withReference } from "../../scripts/gen-schema.js";
import {
  curioJsonSchema,
  parseConfig,
  presetConfig,
  presetNames,
  renderConfigYaml,
} from "../../src/config/index.js";

const root = new URL("../..", import.meta.url).pathname;

test("schema/curio.schema.json is up to date (npm run schema)", () => {
  const same = readFileSync(`${root}schema/curio.schema.json`, "utf8") === schemaFileText();
  assert.ok(same, "schema/curio.schema.json is stale: run `npm run schema` (tsx scripts/gen-schema.ts)");
});

test("docs/config.md lists every key and is up to date", () => {
  const doc = readFileSync(`${root}docs/config.md`, "utf8");
  assert.ok(
    doc === withReference(doc),
    "docs/config.md is stale: run `npm run schema` (tsx scripts/gen-schema.ts)",
  );
  const full = parseConfig({ target: { id: "t" }, judge: { id: "j" } }) as Record<string, unknown>;
  const leaves: string[] = [];
  const walk = (v: unknown, p: string) => {
    if (
      v !== null &&
      typeof v === "object" &&
      !Array.isArray(v) &&
      !["target", "judge", "embedder"].includes(p)
    ) {
      for (const [k, c] of Object.entries(v)) walk(c, p ? `${p}.${k}` : k);
    } else leaves.push(p);
  };
  walk(full, "");
  for (const key of leaves) assert.ok(doc.includes(`| \`${key}\` |`), `docs/config.md lacks ${key}`);
});

test("the JSON Schema describes every top-level key and forbids unknown ones", () => {
  const s = curioJsonSchema();
  assert.equal(s.additionalProperties, false);
  for (const [k, v] of Object.entries(s.properties!))
    assert.ok(v.description || v.anyOf, `${k} lacks a description`);
  assert.deepEqual(s.required, ["target", "judge"]);
});

test("a rendered config (curio init) parses back to the preset, with a comment on every key", () => {
  for (const name of presetNames) {
    const sparse = presetConfig(name);
    const full = parseConfig(sparse);
    const text = renderConfigYaml(full as Record<string, unknown>, sparse, ["header"]);
    assert.deepEqual(parseConfig(parse(text)), full, name);
    // Every active key line (not a provider option) has its schema description right above it.
    const lines = text.split("\n");
    let section = "";
    lines.forEach((line, i) => {
      if (/^\w+:/.test(line)) section = line.split(":")[0]!;
      if (!/^\s*\w+:/.test(line)) return;
      const providerOption =
        /^(target|judge|evalJudge|embedder|gibberish)$/.test(section) && /^\s+(?!id:)/.test(line);
      if (providerOption) return;
      assert.match(lines[i - 1]!, /^\s*# /, `${name}: no comment above line ${i + 1}: ${line}`);
    });
  }
});
