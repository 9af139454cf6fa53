// Public API of the config layer: the zod schema of curio.yaml, its loader and presets.
export { ConfigError, CurioError, ExitCode, type ExitCodeValue, UnreachableError } from "./errors.js";
export { formatIssues } from "./format-issues.js";
export { type Env, interpolateEnv, resolveRefs } from "./interpolate.js";
export { curioJsonSchema, describeAt } from "./json-schema.js";
export {
  type LoadedConfig,
  loadConfig,
  parseConfig,
  parseYamlText,
  resolveConfigPaths,
} from "./load.js";
export { deepMerge } from "./merge.js";
export { methodDefaults, methodTrains } from "./methods.js";
export { type PresetName, presetConfig, presetNames, presets } from "./presets.js";
export { checkProviderSpecs } from "./provider-check.js";
export { providerSpecError } from "./provider-errors.js";
export { configReferenceMarkdown } from "./reference.js";
export { renderConfigYaml } from "./render-yaml.js";
export {
  type CurioConfig,
  type CurioConfigInput,
  curioConfigSchema,
  type Method,
  methods,
  type ProviderSpec,
} from "./schema.js";
export { fillSeedTemplate, parseCsv, readSeedExamples, templateSlots } from "./seed-examples.js";
