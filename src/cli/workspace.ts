// Which workspace a read command (runs, eval) looks at: --workspace, else the config's, else .curio.
import { existsSync } from "node:fs";
import { loadConfig } from "../config/load.js";

export function resolveWorkspace(o: { workspace?: string; config?: string }): string {
  if (o.workspace) return o.workspace;
  const configPath = o.config ?? (existsSync("curio.yaml") ? "curio.yaml" : undefined);
  if (configPath) return loadConfig(configPath, { checkProviders: false }).config.workspace;
  return ".curio";
}
