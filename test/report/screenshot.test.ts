import assert from "node:assert/strict";
import { copyFileSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { test } from "node:test";
import { pathToFileURL } from "node:url";
import { PALETTE } from "../../src/report/chart.js";
import { renderReport } from "../../src/report/html.js";
import { startViewServer } from "../../src/report/view.js";
import { RunStore } from "../../src/store/index.js";
import { chromiumMissing, runChromium } from "./chromium.js";
import { scanTags } from "./html-scan.js";
import { countColour, decodePng } from "./png.js";
import { epochs, syntheticReport } from "./synthetic.js";

test("the report renders in headless Chromium: sections present, no script runs, charts drawn", {
  skip: chromiumMissing,
}, async () => {
  const dir = mkdtempSync(join(tmpdir(), "curio-report-"));
  try {
    // The CSP meta is removed so that escaping alone must keep the payloads inert, and a hook turns any
    // alert() into a DOM mark (instead of a dialog that would block the headless page).
    const hook = `<script id="hook">window.alert = function () { document.documentElement.setAttribute("data-pwned", "alert"); };</script>`;
    const html = renderReport(syntheticReport())
      .replace(/<meta http-equiv="Content-Security-Policy"[^>]*>/, "")
      .replace("<head>", `<head>${hook}`);
    const file = join(dir, "report.html");
    writeFileSync(file, html);
    const url = pathToFileURL(file).href;

    const dom = await runChromium(["--dump-dom", url]);
    const tags = scanTags(dom);
    const pwned = tags.flatMap((t) => t.attrs.filter((a) => a.name === "data-pwned").map((a) => a.value));
    assert.deepEqual(pwned, [], "an injected script or event handler ran");
    const names = new Set(tags.map((t) => t.name));
    assert.equal(tags.filter((t) => t.name === "script").length, 1, "only the test's hook script");
    assert.ok(!names.has("img") && !names.has("textarea"), [...names].join(","));
    assert.ok(
      !tags.some((t) => t.attrs.some((a) => a.name.startsWith("on"))),
      "event-handler attribute in DOM",
    );
    for (const id of ["summary", "curves", "comparison", "training", "findings", "judges", "errors"]) {
      assert.ok(dom.includes(`id="${id}"`), `section ${id} missing from the DOM`);
    }
    assert.ok(
      dom.includes("&lt;script&gt;alert(1)&lt;/script&gt;"),
      "the attack text should be visible as text",
    );

    const png = join(dir, "shot.png");
    await runChromium([`--screenshot=${png}`, "--window-size=1280,2000", url]);
    const img = decodePng(readFileSync(png));
    if (process.env.CURIO_REPORT_SCREENSHOT) copyFileSync(png, process.env.CURIO_REPORT_SCREENSHOT);
    assert.equal(img.width, 1280);
    assert.equal(img.height, 2000);
    const white = countColour(img, "#ffffff", 2);
    const total = img.width * img.height;
    assert.ok(white < total * 0.97, `page is nearly blank (${white} of ${total} pixels white)`);
    assert.ok(white > total * 0.3, "page background should be white");
    // The legend swatches of the first two series are solid 12x12 squares: at least 3 x 144 pixels each.
    for (const colour of [PALETTE[0], PALETTE[1]]) {
      const n = countColour(img, colour, 6);
      assert.ok(n >= 400, `chart colour ${colour} found on only ${n} pixels`);
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test("the live view runs its script under the CSP in Chromium and shows new epochs", {
  skip: chromiumMissing,
}, async () => {
  const ws = mkdtempSync(join(tmpdir(), "curio-live-"));
  const writer = RunStore.open(ws);
  const reader = RunStore.open(ws, { readonly: true });
  // Short-lived streams: Chromium's virtual time only advances while no request is pending.
  const srv = await startViewServer({ store: reader, port: 0, pollMs: 100, streamMaxMs: 500 });
  const all = epochs("placeholder", 40);
  const run = writer.createRun({ name: "live", seed: 1, config: {}, versions: {}, method: "crt" });
  writer.appendEpoch({ ...all[0]!, runId: run.id });
  // The "training process" keeps writing epochs while the browser has the page open.
  let next = 1;
  const timer = setInterval(() => {
    if (next < all.length) writer.appendEpoch({ ...all[next++]!, runId: run.id });
  }, 100);
  try {
    const dom = await runChromium(["--virtual-time-budget=3000", "--dump-dom", `${srv.url}runs/${run.id}`]);
    const connection = /id="live-connection"[^>]*>([^<]*)</.exec(dom)?.[1];
    assert.notEqual(connection, "connecting", "live.js did not run (blocked by the CSP?)");
    const epoch = Number(/id="live-epoch"[^>]*>([^<]*)</.exec(dom)?.[1]);
    assert.ok(epoch >= 1, `the page never showed a live epoch (live-epoch = ${epoch})`);
  } finally {
    clearInterval(timer);
    await srv.close();
    reader.close();
    writer.close();
    rmSync(ws, { recursive: true, force: true });
  }
});
