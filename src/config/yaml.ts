// YAML text to a plain value, with every problem a ConfigError naming the file and line: syntax errors,
// aliases to anchors that do not exist, alias bombs (aliases of aliases that expand exponentially) and keys
// that are mappings or lists.
import { isAlias, isMap, isPair, isSeq, LineCounter, type Node, parseDocument, visit } from "yaml";
import { ConfigError } from "./errors.js";

/** More values than this behind one alias is an attack, not a config. */
const MAX_EXPANDED_NODES = 10_000;

/**
 * The first problem the parser lets through: an alias (in document order) that expands to too many nodes or
 * names no anchor, or a key that is a mapping or a list.
 */
function badNode(doc: ReturnType<typeof parseDocument>): { node: Node; why: string } | undefined {
  const sizes = new Map<unknown, number>();
  const size = (node: unknown, depth = 0): number => {
    if (!node || depth > 100) return 1;
    const known = sizes.get(node);
    if (known !== undefined) return known;
    let n = 1;
    if (isAlias(node)) n = size(node.resolve(doc), depth + 1);
    else if (isMap(node) || isSeq(node))
      for (const item of node.items as unknown[]) {
        n += isPair(item) ? size(item.key, depth + 1) + size(item.value, depth + 1) : size(item, depth + 1);
        if (n > MAX_EXPANDED_NODES) break;
      }
    sizes.set(node, n);
    return n;
  };
  let found: { node: Node; why: string } | undefined;
  visit(doc, {
    Pair(_key, pair) {
      // yaml would turn a mapping or list used as a key into "[object Object]"-like text, with a warning
      if (isMap(pair.key) || isSeq(pair.key))
        found = { node: pair.key, why: "a key must be text, not a mapping or a list" };
      return found ? visit.BREAK : undefined;
    },
    Alias(_key, node) {
      if (!node.resolve(doc))
        found = { node, why: `*${node.source} names no anchor &${node.source} before it` };
      else if (size(node) > MAX_EXPANDED_NODES)
        found = {
          node,
          why: `*${node.source} expands to more than ${MAX_EXPANDED_NODES} values (an alias bomb?)`,
        };
      return found ? visit.BREAK : undefined;
    },
  });
  return found;
}

/** The parser's message, reworded where it speaks of its own API or internals. */
function readable(code: string, message: string): string {
  if (code === "MULTIPLE_DOCS") return "a second document starts here (a --- line); the file holds one";
  if (/Maximum call stack/.test(message)) return "values nested too deeply";
  return message.replace(/ at line \d+, column \d+:?$/, "");
}

/** Parses YAML text; `source` names it in errors (with :line:column). */
export function parseYamlText(text: string, source: string): unknown {
  const lineCounter = new LineCounter();
  const doc = parseDocument(text, { prettyErrors: true, lineCounter });
  if (doc.errors.length > 0) {
    const e = doc.errors[0]!;
    const at = e.linePos?.[0] ? `:${e.linePos[0].line}:${e.linePos[0].col}` : "";
    throw new ConfigError(`${source}${at}: invalid YAML: ${readable(e.code, e.message.split("\n")[0]!)}`, {
      cause: e,
    });
  }
  const bad = badNode(doc);
  if (bad) {
    const pos = bad.node.range ? lineCounter.linePos(bad.node.range[0]) : undefined;
    throw new ConfigError(`${source}${pos ? `:${pos.line}:${pos.col}` : ""}: invalid YAML: ${bad.why}`, {
      hint: bad.why.startsWith("*")
        ? "aliases (*name) repeat an anchored value (&name); write the values out instead"
        : "write `key: value` with a plain key",
    });
  }
  try {
    return doc.toJS();
  } catch (e) {
    // yaml's own resource checks, for what the scan above does not catch
    throw new ConfigError(`${source}: invalid YAML: ${(e as Error).message}`, { cause: e });
  }
}
