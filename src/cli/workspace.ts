// Which workspace a command that only reads the store looks at: --workspace, else the config's
// `workspace:` (the rest of the config is not needed, nor its ${VARS}), else .curio.
import { existsSync } from "node:fs";
import { readConfigWorkspace } from "../config/load.js";

export function resolveWorkspace(o: { workspace?: string; config?: string }): string {
  if (o.workspace) return o.workspace;
  const configPath = o.config ?? (existsSync("curio.yaml") ? "curio.yaml" : undefined);
  if (configPath) return readConfigWorkspace(configPath);
  return ".curio";
}
