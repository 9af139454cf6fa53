// Versions recorded with every run, so results can be traced to the code and runtime that made them.
import { readFileSync } from "node:fs";

function packageVersion(name: string, from: string): string {
  try {
    const url = new URL(from, import.meta.url);
    return (JSON.parse(readFileSync(url, "utf8")) as { version?: string }).version ?? "unknown";
  } catch {
    return `unknown (${name})`;
  }
}

export function versions(): Record<string, string> {
  return {
    curio: packageVersion("curio-redteam", "../../package.json"),
    node: process.version,
    "onnxruntime-node": packageVersion(
      "onnxruntime-node",
      "../../node_modules/onnxruntime-node/package.json",
    ),
  };
}
