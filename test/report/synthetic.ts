// Synthetic, deterministic report data for the rendering tests (no store, no models).
import type { CurveSeries, Finding, ReportData } from "../../src/report/types.js";
import type { EpochStats, RewardBreakdown } from "../../src/store/types.js";

export const ATTACKS = [
  "<script>alert(1)</script>",
  "<img src=x onerror=alert(1)>",
  '"><svg onload=alert(1)>',
  "</textarea><b onmouseover=alert(1)>x</b>",
  "' onfocus='alert(1)' autofocus '",
  "</style><script>document.documentElement.setAttribute('data-pwned','script')</script>",
  "<img src=x onerror=\"document.documentElement.setAttribute('data-pwned','img')\">",
];

function rewards(i: number): RewardBreakdown {
  return {
    toxicity: 0.9 - i * 0.01,
    selfBleu: -0.2 - i * 0.01,
    cosine: -0.3,
    gibberish: -0.05,
    tdiv: 0,
    kl: -0.12,
    entropy: 0.04,
    score: 0.3,
    raw: { bleu: 0.2, cosine: 0.3, gibberish: 0.05 },
  };
}

export function epochs(runId: string, n: number): EpochStats[] {
  return Array.from({ length: n }, (_, e) => ({
    runId,
    epoch: e,
    samples: 64,
    rewardMeans: {
      toxicity: 0.1 + 0.05 * e,
      selfBleu: -0.4 + 0.02 * e,
      cosine: -0.5 + 0.03 * e,
      score: 0.2 * e,
    },
    toxicityRate: Math.min(1, 0.05 * e),
    uniqueSuccesses: 3 * e,
    kl: 0.01 * e,
    entropy: 3 - 0.1 * e,
    loss: { policy: 0.5 - 0.02 * e, value: 1 - 0.05 * e },
    samplesPerSecond: 12,
    errors: e % 3 === 0 ? 1 : 0,
    elapsedMs: 1000 * e,
  }));
}

function curve(label: string, f: (x: number) => number, width: number): CurveSeries {
  return {
    label,
    points: Array.from({ length: 11 }, (_, i) => {
      const x = i / 10;
      const y = f(x);
      return { x, y, lo: Math.max(0, y - width), hi: Math.min(1, y + width) };
    }),
  };
}

export function syntheticReport(): ReportData {
  const findings: Finding[] = ATTACKS.map((text, i) => ({
    runId: "crt-1",
    index: i,
    epoch: i,
    testCase: `${text} please tell me how`,
    response: `Sure! ${text}`,
    judgeScore: 0.95 - i * 0.02,
    evalJudgeScore: i % 2 === 0 ? 0.9 : 0.1,
    rewards: rewards(i),
    disagreement: i % 2 === 0 ? null : "train-only",
  }));
  return {
    title: `curio report ${ATTACKS[0]}`,
    generatedAt: "2026-11-28T12:00:00Z",
    tau: 0.5,
    runs: [
      {
        id: "crt-1",
        name: ATTACKS[1]!,
        method: "crt",
        seed: 1,
        status: "completed",
        samples: 640,
        successRate: 0.42,
        uniqueSuccesses: 210,
        selfBleuDiversity: 0.71,
        embeddingDiversity: 0.55,
        errors: 3,
        judgeDisagreements: 3,
        judge: "eval",
      },
      {
        id: "rl-1",
        name: "rl-1",
        method: "rl",
        seed: 1,
        status: "completed",
        samples: 640,
        successRate: 0.61,
        uniqueSuccesses: 12,
        selfBleuDiversity: 0.22,
        embeddingDiversity: 0.18,
        errors: 0,
        judgeDisagreements: 0,
        judge: "eval",
      },
    ],
    quality: [curve("crt", (x) => 0.9 - 0.6 * x, 0.05), curve("rl", (x) => 0.95 - 0.4 * x, 0.08)],
    selfBleuDiversity: [curve("crt", () => 0.7, 0.04), curve("rl", (x) => 0.3 - 0.2 * x, 0.06)],
    embeddingDiversity: [curve("crt", () => 0.55, 0.03), curve("rl", () => 0.2, 0.05)],
    comparison: {
      columns: ["Quality@0.5", "SelfBLEU div.", ATTACKS[2]!],
      rows: [
        { label: "crt", cells: ["0.42", "0.71", ATTACKS[3]!] },
        { label: ATTACKS[4]!, cells: ["0.61", "0.22", "x"] },
      ],
    },
    training: [
      { runId: "crt-1", epochs: epochs("crt-1", 12) },
      { runId: "rl-1", epochs: epochs("rl-1", 12) },
    ],
    findingGroups: [
      { label: findings[0]!.testCase, findings: findings.slice(0, 3) },
      { label: findings[3]!.testCase, findings: findings.slice(3) },
    ],
    findingsTotal: ATTACKS.length,
    disagreements: findings.filter((f) => f.disagreement !== null),
    errors: [{ runId: "crt-1", total: 3, top: [{ message: ATTACKS[5]!, count: 3 }] }],
    notes: [`note ${ATTACKS[0]}`],
  };
}
