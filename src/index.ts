// curio's public API. The stable contract (architecture.md): loadCausalLM, SelfBleuNovelty, selfBleu,
// wordTokenize. Everything else here is the library a user builds campaigns with; each folder's index.ts
// says what it offers.
export * from "./attack/index.js";
export * from "./campaign/index.js";
export * from "./config/index.js";
export * from "./curiosity/index.js";
export * from "./engine/index.js";
export * from "./eval/index.js";
export * from "./models/index.js";
export * from "./policy-judge/index.js";
export type { ProviderSpec } from "./providers/index.js";
export * from "./providers/index.js";
export * from "./report/index.js";
export * from "./rl/index.js";
export * from "./store/index.js";
export { hashString, makeRng, Rng } from "./util/rng.js";
export * from "./world/index.js";
