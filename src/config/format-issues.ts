// Turns zod issues into one line per problem: the key path, what was expected, what was found.
import type { z } from "zod";
import { keyPathString } from "./interpolate.js";
import { type JsonSchemaNode, keysAt } from "./json-schema.js";

function valueAt(root: unknown, path: readonly PropertyKey[]): { found: boolean; value: unknown } {
  let cur: unknown = root;
  for (const key of path) {
    if (cur === null || typeof cur !== "object" || !(key in (cur as object)))
      return { found: false, value: undefined };
    cur = (cur as Record<PropertyKey, unknown>)[key];
  }
  return { found: true, value: cur };
}

function show(value: unknown): string {
  if (value === undefined) return "nothing";
  if (value === null) return "null";
  // JSON would print NaN and the infinities (YAML .nan, .inf, 1e400) as null
  if (typeof value === "number" && !Number.isFinite(value)) return String(value);
  const text = JSON.stringify(value);
  if (text === undefined) return String(value);
  return text.length > 60 ? `${text.slice(0, 57)}...` : text;
}

function editDistance(a: string, b: string): number {
  const row = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    let prev = row[0]!;
    row[0] = i;
    for (let j = 1; j <= b.length; j++) {
      const tmp = row[j]!;
      row[j] = Math.min(
        row[j]! + 1,
        row[j - 1]! + 1,
        prev + (a[i - 1]!.toLowerCase() === b[j - 1]!.toLowerCase() ? 0 : 1),
      );
      prev = tmp;
    }
  }
  return row[b.length]!;
}

/** The closest candidate within a small edit distance, for "did you mean" hints. */
export function closest(word: string, candidates: readonly string[]): string | undefined {
  let best: string | undefined;
  let bestD = Math.max(2, Math.floor(word.length / 3)) + 1;
  for (const c of candidates) {
    const d = editDistance(word, c);
    if (d < bestD) {
      best = c;
      bestD = d;
    }
  }
  return best;
}

function expected(issue: z.core.$ZodIssue): string {
  switch (issue.code) {
    case "invalid_type":
      if (issue.expected === "int") return "an integer";
      if (issue.expected === "array") return "a list";
      if (issue.expected === "object") return "an object";
      return `a ${issue.expected}`;
    case "too_small":
    case "too_big": {
      const bound = issue.code === "too_small" ? issue.minimum : issue.maximum;
      const op = issue.code === "too_small" ? (issue.inclusive ? ">=" : ">") : issue.inclusive ? "<=" : "<";
      if (issue.origin === "array") return `a list with ${op} ${String(bound)} items`;
      if (issue.origin === "string") return `a text of length ${op} ${String(bound)}`;
      return `a ${issue.origin === "int" ? "integer" : "number"} ${op} ${String(bound)}`;
    }
    case "invalid_value":
      return `one of ${issue.values.map((v) => JSON.stringify(v)).join(" | ")}`;
    case "invalid_format":
      return `a ${issue.format}`;
    case "not_multiple_of":
      return `a multiple of ${String(issue.divisor)}`;
    default:
      return "";
  }
}

/** One readable line per issue, e.g. `ppo.lr: expected a number > 0, got -1`. */
export function formatIssues(
  issues: readonly z.core.$ZodIssue[],
  input: unknown,
  schema: JsonSchemaNode,
): string[] {
  const lines: string[] = [];
  for (const issue of issues) {
    const where = keyPathString(issue.path);
    if (issue.code === "unrecognized_keys") {
      const known = keysAt(schema, issue.path);
      for (const key of issue.keys) {
        const guess = closest(key, known);
        const full = keyPathString([...issue.path, key]);
        lines.push(
          `${full}: unknown key${guess ? ` (did you mean "${guess}"?)` : ""}; allowed here: ${known.join(", ")}`,
        );
      }
      continue;
    }
    if (issue.code === "invalid_union") {
      const at = valueAt(input, issue.path);
      const options = (issue as { options?: unknown[] }).options;
      if (options) {
        lines.push(
          `${where}: expected one of ${options.map((v) => JSON.stringify(v)).join(" | ")}, got ${show(at.value)}`,
        );
        continue;
      }
      // The branch whose shape matched (its errors are deeper) explains the problem best.
      const matched = issue.errors.find((errs) =>
        errs.every((e) => !(e.code === "invalid_type" && e.path.length === 0)),
      );
      if (matched && matched.length > 0) {
        lines.push(
          ...formatIssues(
            matched.map((e) => ({ ...e, path: [...issue.path, ...e.path] })),
            input,
            schema,
          ),
        );
        continue;
      }
      const kinds = issue.errors.flatMap((errs) =>
        errs.filter((e) => e.path.length === 0).map((e) => expected(e)),
      );
      const want = [...new Set(kinds.filter((k) => k !== ""))].join(" or ");
      lines.push(`${where}: expected ${want || "a different value"}, got ${show(at.value)}`);
      continue;
    }
    const at = valueAt(input, issue.path);
    const want = expected(issue);
    if (issue.code === "invalid_type" && !at.found) {
      const isProvider = keysAt(schema, issue.path).includes("id");
      lines.push(`${where}: required, expected ${isProvider ? "an object { id: ..., ...options }" : want}`);
      continue;
    }
    if (issue.code === "invalid_value" && typeof at.value === "string") {
      const guess = closest(
        at.value,
        issue.values.filter((v): v is string => typeof v === "string"),
      );
      lines.push(
        `${where}: expected ${want}, got ${show(at.value)}${guess ? ` (did you mean "${guess}"?)` : ""}`,
      );
      continue;
    }
    if (want) lines.push(`${where}: expected ${want}, got ${show(at.value)}`);
    else lines.push(`${where}: ${issue.message}${at.found ? ` (got ${show(at.value)})` : ""}`);
  }
  return lines;
}
