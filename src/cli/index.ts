// Public API of the CLI layer (the `curio` binary is main.ts).
export type { CampaignOptions, CampaignResult, RunCampaign } from "./campaign-contract.js";
export { parseEnvFile } from "./env-file.js";
export { describeError, exitCodeOf } from "./errors.js";
export { buildProgram, main } from "./main.js";
export { type Io, processIo } from "./output.js";
export { formatEpochLine } from "./progress.js";
