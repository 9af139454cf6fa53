// The campaign loop and what it builds on.
export { type CampaignOptions, type CampaignResult, runCampaign } from "./campaign.js";
export { type EpochContext, type EpochOutcome, runEpoch } from "./epoch.js";
export { type CampaignProviders, closeProviders, createCampaignProviders } from "./providers.js";
export { SeedPrompts } from "./seeds.js";
export { type EpochSettings, epochSettings, rewardWeights } from "./settings.js";
export { CampaignState } from "./state.js";
