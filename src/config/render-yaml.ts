// Renders a config as a commented curio.yaml (for `curio init`): every key of the full config
// with its schema description above it; keys the preset does not set are commented out and show
// their defaults.
import { stringify } from "yaml";
import { curioJsonSchema, describeAt, type JsonSchemaNode } from "./json-schema.js";
import { isPlainObject } from "./merge.js";

const WIDTH = 100;

function hasPath(value: unknown, path: readonly string[]): boolean {
  let cur = value;
  for (const k of path) {
    if (!isPlainObject(cur) || !(k in cur)) return false;
    cur = cur[k];
  }
  return true;
}

function scalar(v: unknown): string {
  if (typeof v === "string") {
    const plain = stringify(v, { lineWidth: 0 }).trimEnd();
    return plain.includes("\n") ? JSON.stringify(v) : plain;
  }
  if (Array.isArray(v)) {
    if (v.every((x) => x === null || typeof x !== "object"))
      return `[${v.map((x) => JSON.stringify(x)).join(", ")}]`;
    return JSON.stringify(v);
  }
  return JSON.stringify(v) ?? "null";
}

function wrap(text: string, width: number): string[] {
  const lines: string[] = [];
  let line = "";
  for (const word of text.split(/\s+/)) {
    if (line && line.length + 1 + word.length > width) {
      lines.push(line);
      line = word;
    } else line = line ? `${line} ${word}` : word;
  }
  if (line) lines.push(line);
  return lines;
}

function emit(
  full: Record<string, unknown>,
  set: unknown,
  schema: JsonSchemaNode,
  path: string[],
  commented: boolean,
  out: string[],
): void {
  const indent = "  ".repeat(path.length);
  for (const [key, value] of Object.entries(full)) {
    if (value === undefined) continue;
    const p = [...path, key];
    const active = !commented && hasPath(set, p);
    const mark = active ? "" : "# ";
    const description = describeAt(schema, p);
    if (description) {
      for (const l of wrap(description, WIDTH - indent.length - 2)) out.push(`${indent}# ${l}`);
    }
    if (isPlainObject(value) && Object.keys(value).length > 0) {
      out.push(`${indent}${mark}${key}:`);
      emit(value, set, schema, p, !active, out);
    } else {
      out.push(`${indent}${mark}${key}: ${scalar(value)}`);
    }
  }
}

/**
 * `full`: the validated config (every key); `set`: the sparse config whose keys stay active.
 * `header`: comment lines (without "# ") for the top of the file.
 */
export function renderConfigYaml(full: Record<string, unknown>, set: unknown, header: string[] = []): string {
  const schema = curioJsonSchema();
  const out = header.map((h) => (h ? `# ${h}` : "#"));
  if (out.length > 0) out.push("");
  emit(full, set, schema, [], false, out);
  return `${out.join("\n")}\n`;
}
