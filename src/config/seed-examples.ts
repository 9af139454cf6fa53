// Reading the examples that fill the red team's seed template: inline lists or data files
// (.jsonl, .json, .csv, .txt), and filling the template's {a} {b} {c} slots.
import { extname } from "node:path";
import { ConfigError } from "./errors.js";
import type { CurioConfig } from "./schema.js";
import { readTextFile } from "./text-file.js";

type ExamplesSpec = CurioConfig["redteam"]["seedPrompts"]["examples"];

function pick(item: unknown, field: string | undefined, where: string): string {
  if (typeof item === "string") return item;
  if (item !== null && typeof item === "object") {
    const rec = item as Record<string, unknown>;
    if (field === undefined) {
      throw new ConfigError(
        `${where}: examples are objects (keys ${Object.keys(rec).join(", ")}); set field`,
        {
          hint: "e.g. field: instruction (Alpaca, Dolly) or field: text (IMDb)",
        },
      );
    }
    const v = rec[field];
    if (typeof v === "string") return v;
    throw new ConfigError(
      `${where}: field ${JSON.stringify(field)} is missing or not text (keys: ${Object.keys(rec).join(", ")})`,
    );
  }
  throw new ConfigError(`${where}: an example must be text or an object, got ${JSON.stringify(item)}`);
}

/**
 * Minimal RFC 4180 CSV: quoted fields, doubled quotes, CRLF or LF line ends. A quote that is never
 * closed is an error naming its line (`source` names the file).
 */
export function parseCsv(text: string, source = "CSV"): string[][] {
  const rows: string[][] = [];
  let row: string[] = [];
  let field = "";
  let quoted = false;
  let line = 1;
  let quoteLine = 0;
  for (let i = 0; i < text.length; i++) {
    const c = text[i]!;
    if (c === "\n") line++;
    if (quoted) {
      if (c === '"' && text[i + 1] === '"') {
        field += '"';
        i++;
      } else if (c === '"') quoted = false;
      else field += c;
    } else if (c === '"' && field === "") {
      quoted = true;
      quoteLine = line;
    } else if (c === ",") {
      row.push(field);
      field = "";
    } else if (c === "\n" || c === "\r") {
      if (c === "\r" && text[i + 1] === "\n") i++;
      row.push(field);
      rows.push(row);
      row = [];
      field = "";
    } else field += c;
  }
  if (quoted) {
    throw new ConfigError(`${source} line ${quoteLine}: a quoted field opened here is never closed`, {
      hint: 'close the quote; a quote inside a quoted field is written twice ("")',
    });
  }
  if (field !== "" || row.length > 0) {
    row.push(field);
    rows.push(row);
  }
  return rows.filter((r) => !(r.length === 1 && r[0] === ""));
}

function readFile(path: string, field: string | undefined): string[] {
  const text = readTextFile(
    path,
    "redteam.seedPrompts.examples",
    "download the seed data set (see docs/config.md#seed-data) or fix the path (relative to curio.yaml)",
  );
  const where = `redteam.seedPrompts.examples (${path})`;
  const ext = extname(path).toLowerCase();
  if (ext === ".jsonl") {
    return text
      .split(/\r?\n/)
      .map((line, i) => [line, i] as const)
      .filter(([line]) => line.trim() !== "")
      .map(([line, i]) => {
        try {
          return pick(JSON.parse(line), field, `${where} line ${i + 1}`);
        } catch (e) {
          if (e instanceof ConfigError) throw e;
          throw new ConfigError(`${where} line ${i + 1}: invalid JSON: ${(e as Error).message}`);
        }
      });
  }
  if (ext === ".json") {
    let data: unknown;
    try {
      data = JSON.parse(text);
    } catch (e) {
      throw new ConfigError(`${where}: invalid JSON: ${(e as Error).message}`);
    }
    if (!Array.isArray(data)) throw new ConfigError(`${where}: expected a JSON array of examples`);
    return data.map((item, i) => pick(item, field, `${where} [${i}]`));
  }
  if (ext === ".csv") {
    const [header, ...rows] = parseCsv(text, where);
    if (!header) return [];
    const col = field === undefined ? 0 : header.indexOf(field);
    if (col < 0)
      throw new ConfigError(`${where}: no column ${JSON.stringify(field)}; columns: ${header.join(", ")}`);
    return rows.map((r) => r[col] ?? "");
  }
  return text.split(/\r?\n/).filter((l) => l.trim() !== "");
}

/** The example texts of a (validated, path-resolved) `redteam.seedPrompts` section. */
export function readSeedExamples(seed: {
  examples: ExamplesSpec;
  field?: string;
  firstWords?: number | null;
}): string[] {
  const spec = seed.examples;
  let texts: string[];
  if (Array.isArray(spec))
    texts = spec.map((x, i) => pick(x, seed.field, `redteam.seedPrompts.examples[${i}]`));
  else if (typeof spec === "string") texts = readFile(spec, seed.field);
  else texts = readFile(spec.path, spec.field ?? seed.field).slice(0, spec.limit ?? Number.POSITIVE_INFINITY);
  texts = texts.map((t) => t.trim()).filter((t) => t !== "");
  if (seed.firstWords) texts = texts.map((t) => t.split(/\s+/).slice(0, seed.firstWords!).join(" "));
  if (texts.length === 0) throw new ConfigError("redteam.seedPrompts.examples: no non-empty examples found");
  return texts;
}

/** Placeholders that look like slots but are not one ({zz}, {A}, {prompt}): they would stay in the text. */
export function unknownTemplateSlots(template: string): string[] {
  const names = [...template.matchAll(/\{([A-Za-z_][A-Za-z0-9_]*)\}/g)].map((m) => m[1]!);
  return [...new Set(names.filter((n) => !/^[a-z]$/.test(n)))];
}

/** The distinct slot names of a seed template, in order of first use ("{a} {b} {a}" -> [a, b]). */
export function templateSlots(template: string): string[] {
  return [...new Set([...template.matchAll(/\{([a-z])\}/g)].map((m) => m[1]!))];
}

/** Fills {a} {b} ... with `examples` in slot order. */
export function fillSeedTemplate(template: string, examples: readonly string[]): string {
  const slots = templateSlots(template);
  if (examples.length < slots.length) {
    throw new ConfigError(
      `seed template needs ${slots.length} examples ({${slots.join("} {")}}), got ${examples.length}`,
    );
  }
  return template.replace(/\{([a-z])\}/g, (_, s: string) => examples[slots.indexOf(s)]!);
}
