// The JSON Schema generated from the zod schema (for editors, `curio init` comments and docs).
import { z } from "zod";
import { attackMethods, METHOD_NAMES } from "../attack/registry.js";
import { curioConfigSchema } from "./schema.js";

export type JsonSchemaNode = {
  type?: string | string[];
  description?: string;
  default?: unknown;
  properties?: Record<string, JsonSchemaNode>;
  items?: JsonSchemaNode | JsonSchemaNode[];
  prefixItems?: JsonSchemaNode[];
  anyOf?: JsonSchemaNode[];
  oneOf?: JsonSchemaNode[];
  enum?: unknown[];
  const?: unknown;
  [k: string]: unknown;
};

export const SCHEMA_ID = "https://github.com/curio-redteam/curio/schema/curio.schema.json";

/** JSON Schema (draft 2020-12) of what a user may write in curio.yaml (input side: defaults optional), with
 *  `attack:` as its zod record (each method validates its own options). */
export function zodJsonSchema(): JsonSchemaNode {
  return z.toJSONSchema(curioConfigSchema, { io: "input", target: "draft-2020-12" }) as JsonSchemaNode;
}

/** The JSON Schema for editors: `attack:` as any of the methods' own option shapes. */
export function curioJsonSchema(): JsonSchemaNode {
  const schema = zodJsonSchema();
  const attack = schema.properties?.attack;
  if (attack) {
    const shapes = METHOD_NAMES.map((m) => {
      const { $schema: _, ...node } = z.toJSONSchema(attackMethods[m].options, {
        io: "input",
        target: "draft-2020-12",
      }) as JsonSchemaNode;
      return { ...node, title: `options of ${m}` };
    });
    schema.properties!.attack = { description: attack.description, default: attack.default, anyOf: shapes };
  }
  return { ...schema, $id: SCHEMA_ID, title: "curio.yaml" };
}

function branches(node: JsonSchemaNode): JsonSchemaNode[] {
  const alts = node.anyOf ?? node.oneOf;
  if (!alts) return [node];
  return alts.flatMap(branches);
}

/** The schema nodes describing the value at `path` (several when unions allow several shapes). */
export function schemaNodesAt(root: JsonSchemaNode, path: readonly PropertyKey[]): JsonSchemaNode[] {
  let nodes = [root];
  for (const key of path) {
    const next: JsonSchemaNode[] = [];
    for (const n of nodes.flatMap(branches)) {
      if (typeof key === "number") {
        if (Array.isArray(n.prefixItems) && n.prefixItems[key]) next.push(n.prefixItems[key]);
        else if (n.items && !Array.isArray(n.items)) next.push(n.items);
      } else if (n.properties?.[String(key)]) next.push(n.properties[String(key)]);
    }
    nodes = next;
  }
  return nodes;
}

/** The description of the key at `path`, taken from the first schema node that has one. */
export function describeAt(root: JsonSchemaNode, path: readonly PropertyKey[]): string | undefined {
  for (const n of schemaNodesAt(root, path)) {
    if (n.description) return n.description;
    for (const b of branches(n)) if (b.description) return b.description;
  }
  return undefined;
}

/** The keys allowed at `path` (for "did you mean" hints). */
export function keysAt(root: JsonSchemaNode, path: readonly PropertyKey[]): string[] {
  const keys = new Set<string>();
  for (const n of schemaNodesAt(root, path).flatMap(branches)) {
    for (const k of Object.keys(n.properties ?? {})) keys.add(k);
  }
  return [...keys];
}
