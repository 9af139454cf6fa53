// The campaign loop and what it builds on.
export { type CampaignOptions, type CampaignResult, runCampaign } from "./campaign.js";
export { type CampaignProviders, closeProviders, createCampaignProviders } from "./providers.js";
export { SeedPrompts } from "./seeds.js";
export { prepareWorld, WORLD_SEED, worldCacheDir } from "./world.js";
