import assert from "node:assert/strict";
import { test } from "node:test";
import { linearScale, lineChart, niceDomain, niceTicks } from "../../src/report/chart.js";
import { scanTags } from "./html-scan.js";

test("niceTicks and niceDomain use 1/2/5 steps", () => {
  assert.deepEqual(niceTicks(0, 1, 5), [0, 0.2, 0.4, 0.6, 0.8, 1]);
  assert.deepEqual(niceTicks(0, 11, 6), [0, 2, 4, 6, 8, 10]);
  assert.deepEqual(niceTicks(-0.5, 0.5, 5), [-0.4, -0.2, 0, 0.2, 0.4]);
  assert.deepEqual(niceDomain(0.13, 0.87, 5), [0, 1]);
  assert.deepEqual(niceDomain(3, 3), [1, 5]);
  const s = linearScale([0, 10], [100, 0]);
  assert.equal(s(2.5), 75);
});

test("lineChart places points, band and legend at hand-computed coordinates", () => {
  const svg = lineChart({
    xLabel: "x",
    yLabel: "y",
    width: 400,
    height: 200,
    margin: { top: 20, right: 10, bottom: 30, left: 40 },
    xDomain: [0, 1],
    yDomain: [0, 1],
    dots: false,
    series: [
      {
        label: "crt",
        color: "#123456",
        points: [
          { x: 0, y: 0, lo: 0, hi: 0.5 },
          { x: 0.5, y: 0.25, lo: 0, hi: 0.5 },
          { x: 1, y: 1, lo: 0.5, hi: 1 },
        ],
      },
    ],
  });
  // One legend row (18 px, first row at y=6) sits above the plot: plot top = 20 + 24 = 44,
  // plot height = 200 - 30 - 44 = 126, plot width = 400 - 40 - 10 = 350.
  // (0,0) -> (40, 170); (0.5, 0.25) -> (40 + 175, 44 + 0.75 * 126) = (215, 138.5); (1,1) -> (390, 44).
  assert.ok(svg.includes('d="M40,170 L215,138.5 L390,44"'), svg);
  // Band: upper edge left to right (hi), then lower edge right to left (lo). hi=0.5 -> y=107.
  assert.ok(svg.includes('points="40,107 215,107 390,44 390,107 215,170 40,170"'), "band polygon");
  assert.ok(svg.includes('<rect class="swatch" x="40" y="20" width="12" height="12" fill="#123456"/>'));
  // Plot frame.
  assert.ok(svg.includes('<rect x="40" y="44" width="350" height="126"'));
  const tags = scanTags(svg);
  assert.equal(tags.filter((t) => t.name === "path").length, 1);
  assert.equal(tags.filter((t) => t.name === "polygon").length, 1);
});

test("non-finite points break the line; escaping reaches SVG text and attributes", () => {
  const svg = lineChart({
    xLabel: "<b>x</b>",
    yLabel: 'y"',
    title: '"><script>',
    width: 400,
    height: 200,
    margin: { top: 20, right: 10, bottom: 30, left: 40 },
    xDomain: [0, 2],
    yDomain: [0, 1],
    dots: false,
    series: [
      {
        label: "<script>alert(1)</script>",
        color: '"/><script>',
        points: [
          { x: 0, y: 0 },
          { x: 1, y: Number.NaN },
          { x: 2, y: 1 },
        ],
      },
    ],
  });
  assert.ok(svg.includes('d="M40,170 M390,44"'));
  const names = new Set(scanTags(svg).map((t) => t.name));
  assert.ok(!names.has("script") && !names.has("b"));
  assert.ok(svg.includes("&lt;script&gt;alert(1)&lt;/script&gt;"));
  assert.ok(svg.includes('aria-label="&quot;&gt;&lt;script&gt;"'));
});
