// Shared settings of the GFlowNet tests.
import { defaultGfnReward, type GfnTrainerConfig } from "../../src/attack/gfn/index.js";

/** A trainer config for tests: the paper's reward, no exploration, no clipping; override what a test needs. */
export const trainerConfig = (over: Partial<GfnTrainerConfig> = {}): GfnTrainerConfig => ({
  reward: defaultGfnReward,
  lr: 1e-3,
  logZLr: 0.05,
  betas: [0.9, 0.999],
  weightDecay: 0,
  maxGradNorm: 1e9,
  batchSize: 8,
  replaySteps: 1,
  replay: { capacity: 100, tolerance: 0.25, sampling: "priority", rankBy: "score" },
  exploration: { probability: 0, low: 1, high: 1 },
  seed: 1,
  threads: 1,
  ...over,
});
