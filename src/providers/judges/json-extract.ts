// Getting a JSON object out of an LLM's answer: plain JSON, a ```json fenced block, an object embedded in
// prose, or a truncated object (closed up: open string, dangling key or comma, open braces/brackets).

function tryParse(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}

const isObject = (v: unknown): v is Record<string, unknown> =>
  !!v && typeof v === "object" && !Array.isArray(v);

/** Closes a truncated JSON object so it parses; returns undefined when it cannot be repaired. */
export function repairTruncatedJson(text: string): string | undefined {
  const start = text.indexOf("{");
  if (start < 0) return undefined;
  let s = text.slice(start);
  const stack: string[] = [];
  let inString = false;
  let escaped = false;
  for (const ch of s) {
    if (inString) {
      if (escaped) escaped = false;
      else if (ch === "\\") escaped = true;
      else if (ch === '"') inString = false;
      continue;
    }
    if (ch === '"') inString = true;
    else if (ch === "{" || ch === "[") stack.push(ch === "{" ? "}" : "]");
    else if (ch === "}" || ch === "]") stack.pop();
  }
  if (escaped) s = s.slice(0, -1);
  if (inString) s += '"';
  // Drop a dangling `, "key"` / `"key":` / trailing comma / half-written literal before closing.
  for (let i = 0; i < 3; i++) {
    s = s
      .replace(/,\s*$/, "")
      .replace(/,?\s*"[^"]*"\s*:\s*$/, "")
      .replace(/,?\s*"[^"]*"\s*:\s*(t|tr|tru|f|fa|fal|fals|n|nu|nul|-)$/, "")
      .replace(/\.\s*$/, "");
  }
  const closed = s + stack.reverse().join("");
  return tryParse(closed) === undefined ? undefined : closed;
}

/** The first JSON object found in an LLM answer, or undefined. */
export function extractJsonObject(answer: string): Record<string, unknown> | undefined {
  const text = answer.trim();
  const direct = tryParse(text);
  if (isObject(direct)) return direct;
  for (const m of text.matchAll(/```(?:json|JSON)?\s*([\s\S]*?)(?:```|$)/g)) {
    const inner = m[1].trim();
    const parsed = tryParse(inner) ?? tryParse(repairTruncatedJson(inner) ?? "");
    if (isObject(parsed)) return parsed;
  }
  const first = text.indexOf("{");
  const last = text.lastIndexOf("}");
  if (first >= 0 && last > first) {
    const embedded = tryParse(text.slice(first, last + 1));
    if (isObject(embedded)) return embedded;
  }
  const repaired = repairTruncatedJson(text);
  const parsed = repaired === undefined ? undefined : tryParse(repaired);
  return isObject(parsed) ? parsed : undefined;
}
