/** PPO settings, trlx 0.7 / CRT defaults (crt-spec.md "PPO"). */
export interface PpoConfig {
  /** Samples per PPO epoch (the caller passes this many seed prompts to rollout()). */
  numRollouts: number;
  /** Generation batch size inside rollout(). */
  chunkSize: number;
  /** Minibatch size of one optimiser step. */
  batchSize: number;
  /** Rows per train-graph run: each minibatch runs in chunks of at most this many rows and their gradients
   *  are summed (the same update as the whole minibatch, less activation memory). null = automatic: the
   *  whole minibatch unless its activations exceed autoMicroBatchBudget (micro-batch.ts). */
  microBatchSize: number | null;
  /** Passes over the rollouts per step(). */
  ppoEpochs: number;
  gamma: number;
  lam: number;
  cliprange: number;
  cliprangeValue: number;
  vfCoef: number;
  /** KL coefficient beta (initial value when adaptive). */
  initKlCoef: number;
  /** Adaptive KL target; null = fixed controller (CRT). */
  klTarget: number | null;
  klHorizon: number;
  /** Entropy bonus weight lambda_E on -log pi(a_t) (CRT 0.01, RL baseline 0). */
  lambdaE: number;
  /** CRT code quirk: responses of <= 2 tokens get an all-zero reward vector. */
  zeroShortResponses: boolean;
  /** Where advantages are whitened: per optimiser minibatch (trlx 0.7, inside its loss) or once over all rollouts. */
  whitenScope: "minibatch" | "rollouts";
  /** Include the zero padding of the [B, R] minibatch in the whitening statistics (trlx 0.7 literally). */
  whitenPadding: boolean;
  lr: number;
  betas: [number, number];
  eps: number;
  weightDecay: number;
  /** Global gradient-norm clip before AdamW; null = none (trlx 0.7 does not clip). */
  maxGradNorm: number | null;
  /** Compiled graphs' batch and total width are rounded up to multiples of this. */
  bucket: number;
  /** The response width (where the LM head runs) is rounded up to a multiple of this. */
  responseBucket: number;
  seed: number;
  /** onnxruntime intra-op threads for the PPO sessions. */
  threads?: number;
  /** Compiled PPO sessions kept (least recently used evicted); each holds its own activation memory. */
  maxSessions: number;
}

export const defaultPpoConfig: PpoConfig = {
  numRollouts: 128,
  chunkSize: 64,
  batchSize: 64,
  microBatchSize: null,
  ppoEpochs: 4,
  gamma: 1,
  lam: 0.95,
  cliprange: 0.2,
  cliprangeValue: 0.2,
  vfCoef: 1,
  initKlCoef: 0.001,
  klTarget: null,
  klHorizon: 10000,
  lambdaE: 0.01,
  zeroShortResponses: true,
  whitenScope: "minibatch",
  whitenPadding: false,
  lr: 3e-5,
  betas: [0.9, 0.95],
  eps: 1e-8,
  weightDecay: 1e-6,
  maxGradNorm: null,
  bucket: 16,
  responseBucket: 4,
  seed: 1000,
  maxSessions: 6,
};

export function resolvePpoConfig(partial: Partial<PpoConfig> = {}): PpoConfig {
  const c: PpoConfig = { ...defaultPpoConfig, ...partial };
  const positiveInts = [
    "numRollouts",
    "chunkSize",
    "batchSize",
    "ppoEpochs",
    "bucket",
    "responseBucket",
    "maxSessions",
  ] as const;
  for (const k of positiveInts) {
    if (!Number.isInteger(c[k]) || c[k] < 1)
      throw new Error(`PPO config: ${k} must be a positive integer, got ${c[k]}`);
  }
  const nonNegative = [
    "cliprange",
    "cliprangeValue",
    "vfCoef",
    "initKlCoef",
    "lambdaE",
    "lr",
    "eps",
    "weightDecay",
  ] as const;
  for (const k of nonNegative) {
    if (!(c[k] >= 0)) throw new Error(`PPO config: ${k} must be >= 0, got ${c[k]}`);
  }
  if (c.whitenScope !== "minibatch" && c.whitenScope !== "rollouts") {
    throw new Error(
      `PPO config: whitenScope must be "minibatch" or "rollouts", got ${JSON.stringify(c.whitenScope)}`,
    );
  }
  if (c.microBatchSize !== null && !(Number.isInteger(c.microBatchSize) && c.microBatchSize >= 1)) {
    throw new Error(
      `PPO config: microBatchSize must be a positive integer or null (automatic), got ${c.microBatchSize}`,
    );
  }
  if (c.maxGradNorm !== null && !(c.maxGradNorm > 0)) {
    throw new Error(`PPO config: maxGradNorm must be > 0 or null, got ${c.maxGradNorm}`);
  }
  return c;
}
