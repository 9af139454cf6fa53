// The provider reference, generated from the registry: ids, roles, summaries and every option with its
// type, default and description (from the zod schemas). docs/providers.md embeds this output between
// markers, and a test keeps the two in sync.
import { z } from "zod";
import { PROVIDER_KIND_NAMES, type ProviderKindName, providerKinds, type Role } from "./registry.js";

interface JsonSchemaProp {
  type?: string | string[];
  enum?: unknown[];
  default?: unknown;
  description?: string;
  anyOf?: JsonSchemaProp[];
  items?: JsonSchemaProp;
}

function typeOf(p: JsonSchemaProp): string {
  if (p.enum) return p.enum.map((e) => JSON.stringify(e)).join(" | ");
  if (p.anyOf) return p.anyOf.map(typeOf).join(" | ");
  if (p.type === "array") return `${p.items ? typeOf(p.items) : "any"}[]`;
  if (Array.isArray(p.type)) return p.type.join(" | ");
  return p.type ?? "object";
}

const cell = (s: string) => s.replace(/\|/g, "\\|").replace(/\n/g, " ");

function idPattern(name: ProviderKindName): string {
  const k = providerKinds[name] as { model: string; modelHint?: string; defaultModel?: string };
  if (k.model === "none") return name;
  if (k.model === "optional") return `${name}[:${k.modelHint ?? "<model>"}] (default ${k.defaultModel})`;
  return `${name}:${k.modelHint ?? "<model>"}`;
}

export function renderKindDoc(name: ProviderKindName): string {
  const k = providerKinds[name];
  const schema = z.toJSONSchema(k.options, { io: "input", unrepresentable: "any" }) as {
    properties?: Record<string, JsonSchemaProp>;
    required?: string[];
  };
  const rows = Object.entries(schema.properties ?? {}).map(([key, p]) => {
    const required = schema.required?.includes(key) && p.default === undefined;
    const def =
      p.default === undefined ? (required ? "**required**" : "") : `\`${JSON.stringify(p.default)}\``;
    return `| \`${key}\` | ${cell(typeOf(p))} | ${def} | ${cell(p.description ?? "")} |`;
  });
  return [
    `### \`${idPattern(name)}\``,
    "",
    `${k.role}. ${k.summary}`,
    "",
    "| option | type | default | description |",
    "|---|---|---|---|",
    ...rows,
    "",
  ].join("\n");
}

const ROLE_TITLES: Record<Role, string> = {
  target: "Targets",
  judge: "Judges",
  embedder: "Embedders",
  gibberish: "Gibberish scorers",
};

export function renderProvidersDoc(): string {
  const parts: string[] = [];
  for (const role of Object.keys(ROLE_TITLES) as Role[]) {
    parts.push(`## ${ROLE_TITLES[role]}`, "");
    for (const name of PROVIDER_KIND_NAMES.filter((n) => providerKinds[n].role === role))
      parts.push(renderKindDoc(name));
  }
  return parts.join("\n");
}
