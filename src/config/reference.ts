// A Markdown table of every config key (path, type, default, description), and one of the methods' own keys
// (`attack:`), generated from the JSON Schema so docs/config.md cannot drift from the zod schemas.
import { z } from "zod";
import { attackMethods, METHOD_NAMES } from "../attack/registry.js";
import { type JsonSchemaNode, zodJsonSchema } from "./json-schema.js";

function typeOf(n: JsonSchemaNode): string {
  const alts = n.anyOf ?? n.oneOf;
  if (alts) return [...new Set(alts.map(typeOf))].join(" | ");
  if (n.const !== undefined) return JSON.stringify(n.const);
  if (n.enum) return n.enum.map((v) => JSON.stringify(v)).join(" | ");
  if (n.type === "array") {
    if (n.prefixItems) return `[${n.prefixItems.map(typeOf).join(", ")}]`;
    return `list of ${n.items && !Array.isArray(n.items) ? typeOf(n.items) : "any"}`;
  }
  if (n.type === "object") return n.properties ? `{ ${Object.keys(n.properties).join(", ")} }` : "object";
  const t = Array.isArray(n.type) ? n.type.join(" | ") : (n.type ?? "any");
  const bounds: string[] = [];
  for (const [k, op] of [
    ["minimum", ">="],
    ["exclusiveMinimum", ">"],
    ["maximum", "<="],
    ["exclusiveMaximum", "<"],
  ] as const) {
    const v = n[k];
    if (typeof v === "number" && Math.abs(v) < 1e15) bounds.push(`${op} ${v}`);
  }
  return bounds.length ? `${t} (${bounds.join(", ")})` : t;
}

function cell(text: string): string {
  return text.replaceAll("|", "\\|").replaceAll("\n", " ");
}

function rows(node: JsonSchemaNode, path: string, out: string[]): void {
  const alts = node.anyOf ?? node.oneOf;
  const nonNull = (alts ?? [node]).filter((b) => b.type !== "null");
  const nullable = nonNull.length < (alts ?? [node]).length;
  const objectBranches = nonNull.filter((b) => b.properties);
  const isSection = objectBranches.length > 0 && objectBranches.length === nonNull.length;
  if (path) {
    const def = node.default === undefined ? "" : `\`${cell(JSON.stringify(node.default))}\``;
    let type = isSection ? (objectBranches.length > 1 ? "one of the shapes below" : "section") : typeOf(node);
    if (isSection && nullable) type += " or null";
    const description = node.description ?? (nonNull.length === 1 ? nonNull[0]!.description : undefined);
    out.push(`| \`${path}\` | ${cell(type)} | ${def} | ${cell(description ?? "")} |`);
  }
  if (!isSection) return;
  const seen = new Set<string>();
  for (const b of objectBranches) {
    for (const [k, child] of Object.entries(b.properties!)) {
      const childPath = path ? `${path}.${k}` : k;
      const discriminator = objectBranches.length > 1 ? child.const : undefined;
      if (seen.has(k) && discriminator === undefined) continue;
      seen.add(k);
      if (discriminator !== undefined) {
        const options = objectBranches.map((o) => JSON.stringify(o.properties?.[k]?.const)).join(" | ");
        out.push(`| \`${childPath}\` | ${cell(options)} | | ${cell(child.description ?? "")} |`);
        continue;
      }
      rows(child, childPath, out);
    }
  }
}

export function configReferenceMarkdown(): string {
  const out = ["| key | type | default | description |", "|---|---|---|---|"];
  rows(zodJsonSchema(), "", out);
  // A discriminator shared by several branches is listed once.
  return `${[...new Set(out)].join("\n")}\n\n${methodOptionsMarkdown()}`;
}

/** `attack:` keys per method, from each method's own schema in the attack registry; a row several methods
 *  share is listed once with all of them. */
function methodOptionsMarkdown(): string {
  const methodsOf = new Map<string, string[]>();
  for (const m of METHOD_NAMES) {
    const node = z.toJSONSchema(attackMethods[m].options, { io: "input" }) as JsonSchemaNode;
    const out: string[] = [];
    for (const [k, child] of Object.entries(node.properties ?? {})) rows(child, `attack.${k}`, out);
    for (const row of out) methodsOf.set(row, [...(methodsOf.get(row) ?? []), m]);
  }
  const lines = [
    "Options of the chosen method, under `attack:` (a key of another method is an error that names the method's own):",
    "",
    "| key | methods | type | default | description |",
    "|---|---|---|---|---|",
    ...[...methodsOf].map(([row, ms]) => row.replace(/^(\| `[^`]+` )\|/, `$1| ${ms.join(", ")} |`)),
  ];
  return `${lines.join("\n")}\n`;
}
