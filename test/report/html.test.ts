import assert from "node:assert/strict";
import { test } from "node:test";
import { escapeHtml } from "../../src/report/escape.js";
import { renderReport } from "../../src/report/html.js";
import { decodeEntities, scanTags, textContent } from "./html-scan.js";
import { ATTACKS, syntheticReport } from "./synthetic.js";

// Every element the report may contain; anything else was injected.
const ALLOWED = new Set(
  "html head meta title style body main header h1 h2 h3 p div ul li section table thead tbody tr th td details summary pre span strong br figure figcaption svg rect line text polygon path circle sub code".split(
    " ",
  ),
);

test("escapeHtml escapes the five HTML specials and the backtick", () => {
  assert.equal(
    escapeHtml(`<a href="x" title='y'>&\``),
    "&lt;a href=&quot;x&quot; title=&#39;y&#39;&gt;&amp;&#96;",
  );
  assert.equal(escapeHtml(null), "");
  assert.equal(escapeHtml(3.5), "3.5");
  assert.equal(escapeHtml("a\u0000b"), "a\ufffdb");
});

test("adversarial findings render as text: no injected elements or event-handler attributes", () => {
  const html = renderReport(syntheticReport());
  const tags = scanTags(html);
  const names = new Set(tags.map((t) => t.name));
  for (const n of names) assert.ok(ALLOWED.has(n), `unexpected element <${n}> in the report`);
  assert.ok(!names.has("script") && !names.has("img") && !names.has("textarea") && !names.has("b"));
  for (const t of tags) {
    for (const a of t.attrs) {
      assert.ok(!a.name.startsWith("on"), `event-handler attribute ${a.name} on <${t.name}>`);
      assert.ok(!/autofocus|^'|^"/.test(a.name), `stray attribute ${a.name} on <${t.name}>`);
    }
  }
  // Exactly one <style> and one <title>: an escaped "</style>" in content must not open or close one.
  assert.equal(tags.filter((t) => t.name === "style").length, 1);
  assert.equal(tags.filter((t) => t.name === "title").length, 1);
  // The attack strings are shown verbatim as text.
  const text = textContent(html);
  for (const a of ATTACKS) assert.ok(text.includes(a), `attack text missing from the visible text: ${a}`);
  // The title element (RCDATA) holds the escaped string, decoded back to the original.
  const title = /<title>([\s\S]*?)<\/title>/.exec(html)![1]!;
  assert.equal(decodeEntities(title), `curio report ${ATTACKS[0]}`);
});

test("report has every section, inline CSS and no external references", () => {
  const html = renderReport(syntheticReport());
  for (const id of [
    "summary",
    "curves",
    "comparison",
    "training",
    "findings",
    "judges",
    "refusals",
    "errors",
  ]) {
    assert.ok(html.includes(`<section id="${id}">`), `section ${id} missing`);
  }
  const tags = scanTags(html);
  for (const t of tags) {
    for (const a of t.attrs)
      assert.ok(!["src", "href", "srcset", "action"].includes(a.name), `<${t.name} ${a.name}>`);
  }
  const css = /<style>([\s\S]*?)<\/style>/.exec(html)![1]!;
  assert.ok(!/@import|url\(/i.test(css), "the stylesheet must not load anything");
  // Three tau charts + 5 training charts per run (2 runs).
  assert.equal((html.match(/<svg /g) ?? []).length, 3 + 5 * 2);
  // Every reward term header appears in the breakdown tables.
  for (const h of [
    "toxicity R(y)",
    "SelfBLEU novelty",
    "cosine novelty",
    "gibberish penalty",
    "KL penalty",
    "entropy bonus",
  ]) {
    assert.ok(html.includes(h), h);
  }
  assert.ok(html.includes("judges disagree: train only"));
});
