// Early validation of provider specs against the provider registry's option schemas, so a typo in
// `judge.unsafeLable` fails at load time with its key path rather than minutes into a run.
import { kindsOfRole, parseProviderId, providerKinds, type Role } from "../providers/index.js";
import { closest } from "./format-issues.js";
import type { CurioConfig } from "./schema.js";

const ROLES: [key: "target" | "judge" | "evalJudge" | "embedder" | "gibberish", role: Role][] = [
  ["target", "target"],
  ["judge", "judge"],
  ["evalJudge", "judge"],
  ["embedder", "embedder"],
  ["gibberish", "gibberish"],
];

/**
 * One problem line per bad provider spec (key path first). Ids that are neither registered kinds
 * nor file:// modules are reported with the closest registered id.
 */
export function checkProviderSpecs(config: CurioConfig): string[] {
  const problems: string[] = [];
  for (const [key, role] of ROLES) {
    const spec = config[key];
    if (!spec) continue;
    const { id, ...options } = spec;
    if (id.startsWith("file://")) continue;
    const parsed = parseProviderId(id);
    const sameRole = kindsOfRole(role);
    if (!parsed) {
      const guess = closest(id, sameRole);
      problems.push(
        `${key}.id: unknown provider ${JSON.stringify(id)}${guess ? ` (did you mean "${guess}"?)` : ""}; ` +
          `${role} providers: ${sameRole.join(", ")}, or file://your-provider.mjs`,
      );
      continue;
    }
    const kind = providerKinds[parsed.kind];
    if (kind.role !== role) {
      problems.push(
        `${key}.id: ${parsed.kind} is a ${kind.role} provider; ${role} providers: ${sameRole.join(", ")}`,
      );
      continue;
    }
    if (kind.model === "required" && parsed.model === "") {
      problems.push(`${key}.id: ${parsed.kind} needs a model: ${parsed.kind}:${kind.modelHint ?? "<model>"}`);
    }
    if (kind.model === "none" && parsed.model !== "") {
      problems.push(`${key}.id: ${parsed.kind} takes no model part; write just "${parsed.kind}"`);
    }
    const result = kind.options.safeParse(options);
    if (!result.success) {
      for (const issue of result.error.issues) {
        if (issue.code === "unrecognized_keys") {
          const known = Object.keys((kind.options as unknown as { shape?: object }).shape ?? {});
          for (const k of issue.keys) {
            const guess = closest(k, known);
            problems.push(
              `${[key, ...issue.path.map(String), k].join(".")}: not an option of ${parsed.kind}` +
                `${guess ? ` (did you mean "${guess}"?)` : ""}; options: ${known.join(", ")}`,
            );
          }
        } else problems.push(`${[key, ...issue.path.map(String)].join(".")}: ${issue.message}`);
      }
    }
  }
  return problems;
}
