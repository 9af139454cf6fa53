// Provider factories validate their own options; this names the curio.yaml key when they refuse.
import { ConfigError, CurioError } from "./errors.js";

interface IssueLike {
  path: PropertyKey[];
  message: string;
}

/**
 * Wraps an error thrown while building the provider at config key `key` (e.g. "target") into a
 * ConfigError naming that key and, for zod errors, each bad option's full key path.
 * Errors that already carry an exit code (unreachable servers, ...) keep it but gain the key.
 */
export function providerSpecError(key: string, spec: { id?: unknown }, error: unknown): CurioError {
  const id = typeof spec?.id === "string" ? spec.id : "?";
  const issues = (error as { issues?: IssueLike[] })?.issues;
  if (Array.isArray(issues)) {
    const problems = issues.map((i) => `${[key, ...i.path.map(String)].join(".")}: ${i.message}`);
    return new ConfigError(
      `${key} (provider ${id}) has invalid options:\n${problems.map((p) => `  - ${p}`).join("\n")}`,
      {
        problems,
        hint: `see the options of provider "${id}" in docs/providers.md`,
        cause: error,
      },
    );
  }
  const message = error instanceof Error ? error.message : String(error);
  if (error instanceof CurioError && !(error instanceof ConfigError)) {
    return new CurioError(`${key} (provider ${id}): ${message}`, {
      exitCode: error.exitCode,
      hint: error.hint,
      cause: error,
    });
  }
  return new ConfigError(`${key} (provider ${id}): ${message}`, {
    problems: [`${key}: ${message}`],
    hint: error instanceof CurioError ? error.hint : undefined,
    cause: error,
  });
}
