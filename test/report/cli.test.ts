import assert from "node:assert/strict";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { test } from "node:test";
import { parse } from "yaml";
import { exportCommand } from "../../src/cli/commands/export.js";
import { reportCommand } from "../../src/cli/commands/report.js";
import { viewCommand } from "../../src/cli/commands/view.js";
import { RunStore } from "../../src/store/index.js";
import { sample } from "./fake-store.js";
import { epochs } from "./synthetic.js";

test("report and export commands read a workspace and write files", async (t) => {
  const ws = mkdtempSync(join(tmpdir(), "curio-cli-"));
  t.after(() => rmSync(ws, { recursive: true, force: true }));
  const store = RunStore.open(ws);
  const run = store.createRun({ name: "demo", seed: 1, config: {}, versions: {}, method: "crt" });
  store.appendSamples(
    Array.from({ length: 12 }, (_, i) =>
      sample(run.id, i, { testCase: `=cmd attack ${i}`, judgeScore: i / 12, evalJudgeScore: null }),
    ),
  );
  for (const e of epochs(run.id, 3)) store.appendEpoch(e);
  store.close();
  const quiet = t.mock.method(process.stderr, "write", () => true);

  const csv = join(ws, "findings.csv");
  await exportCommand().parseAsync(
    [run.id, "--format", "csv", "-o", csv, "--workspace", ws, "--tau", "0.75"],
    {
      from: "user",
    },
  );
  const lines = readFileSync(csv, "utf8").trimEnd().split("\r\n");
  assert.equal(lines.length, 1 + 3); // scores 9/12, 10/12, 11/12
  assert.ok(lines[1]!.includes(",'=cmd attack 9,"));

  const yamlFile = join(ws, "suite.yaml");
  await exportCommand().parseAsync(
    [run.id.slice(0, 8), "--format", "promptfoo", "-o", yamlFile, "--workspace", ws],
    {
      from: "user",
    },
  );
  assert.equal(parse(readFileSync(yamlFile, "utf8")).tests.length, 6);

  const html = join(ws, "r.html");
  await reportCommand().parseAsync(
    [run.id, "-o", html, "--workspace", ws, "--subsets", "2", "--subset-size", "3"],
    {
      from: "user",
    },
  );
  const text = readFileSync(html, "utf8");
  assert.ok(text.startsWith("<!DOCTYPE html>") && text.includes('<section id="findings">'));
  assert.ok(text.includes("=cmd attack 11"));
  quiet.mock.restore();

  await assert.rejects(
    exportCommand()
      .exitOverride()
      .configureOutput({ writeErr: () => {} })
      .parseAsync([run.id, "--format", "xml", "--workspace", ws], { from: "user" }),
    /Allowed choices are jsonl, csv, promptfoo, sft/,
  );
  assert.equal(viewCommand().name(), "view");
});
