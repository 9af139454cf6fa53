// What a campaign carries from epoch to epoch, and its checkpoint: the loop's own counters, RNG and novelty
// histories, plus the state of every other stateful part (the attacker, the target), all through the one
// checkpoint protocol (util/checkpoint.ts). A resume restores every part, so it continues exactly.
import {
  EmbeddingNovelty,
  type EmbeddingNoveltyState,
  SelfBleuNovelty,
  type SelfBleuNoveltyState,
} from "../curiosity/index.js";
import type { Checkpoint } from "../store/index.js";
import { packState, type Resumable, type StateValue, unpackState } from "../util/checkpoint.js";
import { Rng } from "../util/rng.js";

const VERSION = 2;

export class CampaignState {
  /** Epochs completed (the next epoch to run is epoch + 1). */
  epoch = 0;
  samples = 0;
  errors = 0;
  /** Draws the seed instructions. */
  readonly rng: Rng;
  readonly selfBleu = new SelfBleuNovelty();
  readonly embedding: EmbeddingNovelty;
  /** Normalised successful test cases (unique successes). */
  readonly successes = new Set<string>();

  constructor(seed: number, embedding: ConstructorParameters<typeof EmbeddingNovelty>[0]) {
    this.rng = new Rng(seed ^ 0x5eed);
    this.embedding = new EmbeddingNovelty(embedding);
  }

  /** The whole run's checkpoint, as the store keeps it. */
  checkpoint(parts: { attacker: Resumable; target: Partial<Resumable> }): Checkpoint {
    const state = {
      version: VERSION,
      epoch: this.epoch,
      samples: this.samples,
      errors: this.errors,
      rng: this.rng.state(),
      selfBleu: this.selfBleu.state(),
      embedding: this.embedding.state(),
      uniqueSuccesses: [...this.successes],
      attacker: parts.attacker.state(),
      target: parts.target.state?.() ?? null,
    } satisfies StateValue;
    const packed = packState(state);
    return { epoch: this.epoch, sampleCount: this.samples, state: packed.json, blobs: packed.blobs };
  }

  /** Restores every part from a checkpoint this version wrote. */
  restore(ckpt: Checkpoint, parts: { attacker: Resumable; target: Partial<Resumable> }): void {
    const version = (ckpt.state as { version?: unknown } | null)?.version;
    if (version !== VERSION) {
      throw new Error(
        `checkpoint of epoch ${ckpt.epoch} has version ${JSON.stringify(version)}, this curio writes ${VERSION}; ` +
          "it was written by another curio version: finish the run with that version, or start a new run",
      );
    }
    const s = unpackState(ckpt.state, ckpt.blobs) as {
      epoch: number;
      samples: number;
      errors: number;
      rng: number;
      selfBleu: SelfBleuNoveltyState;
      embedding: EmbeddingNoveltyState;
      uniqueSuccesses: string[];
      attacker: StateValue;
      target: StateValue;
    };
    this.epoch = s.epoch;
    this.samples = s.samples;
    this.errors = s.errors;
    this.rng.loadState(s.rng);
    this.selfBleu.loadState(s.selfBleu);
    this.embedding.loadState(s.embedding);
    this.successes.clear();
    for (const t of s.uniqueSuccesses) this.successes.add(t);
    parts.attacker.loadState(s.attacker);
    if (s.target !== null) parts.target.loadState?.(s.target);
  }
}
