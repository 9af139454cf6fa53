// The methods of curio.yaml, from the attack registry (src/attack/registry.ts): each method's defaults are
// applied under the user's own keys, so `method: rl` in curio.yaml works and explicit keys still win.
import { attackMethods, METHOD_NAMES, type MethodName } from "../attack/registry.js";
import type { CurioConfigInput } from "./schema.js";

export const methods = METHOD_NAMES;
export type Method = MethodName;

export const methodDefaults = Object.fromEntries(
  METHOD_NAMES.map((m) => [m, attackMethods[m].defaults]),
) as Record<Method, Partial<CurioConfigInput>>;

/** "crt: ..., rl: ...": one line of the config reference. */
export function methodSummaries(): string {
  return METHOD_NAMES.map((m) => `${m}: ${attackMethods[m].summary}`).join(" ");
}

/** Methods that update the red-team model (the others only sample from it, or send the corpus). */
export function methodTrains(method: Method): boolean {
  return attackMethods[method].trains;
}

/** A method's own options (`attack:` in curio.yaml): one problem line per bad key, naming the known ones. */
export function methodOptionProblems(
  method: Method,
  options: unknown,
): { path: string[]; message: string }[] {
  const schema = attackMethods[method].options;
  const result = schema.safeParse(options ?? {});
  if (result.success) return [];
  const known = Object.keys((schema as unknown as { shape?: object }).shape ?? {});
  const knownText =
    known.length > 0 ? `options of ${method}: ${known.join(", ")}` : `${method} takes no options`;
  return result.error.issues.flatMap((issue) =>
    issue.code === "unrecognized_keys"
      ? issue.keys.map((k) => ({
          path: [...issue.path.map(String), k],
          message: `not an option of method ${method}; ${knownText}`,
        }))
      : [{ path: issue.path.map(String), message: issue.message }],
  );
}
