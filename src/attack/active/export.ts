// The hardened target of an Active Attacks run, on request (`curio export RUN --format hardened-target -o DIR`):
// the run's target rebuilt from its config, its tuned state loaded from the run's latest checkpoint, and
// written as a Hugging Face folder (model/, LoRA merged), a PEFT adapter (adapter/) and the rounds so far
// (rounds.json) — the same layout the run writes after every round.
import { mkdir, writeFile } from "node:fs/promises";
import { join } from "node:path";
import type { CurioConfig } from "../../config/index.js";
import { createTarget, isTrainableTarget, type ProviderContext } from "../../providers/index.js";
import type { RunStore } from "../../store/index.js";
import { type StateValue, unpackState } from "../../util/checkpoint.js";
import { CurioError, ExitCode } from "../../util/errors.js";
import type { RoundRecord } from "./rounds.js";

export async function exportHardenedTarget(
  store: RunStore,
  runId: string,
  dir: string,
  ctx: Partial<ProviderContext> = {},
): Promise<{ runId: string; epoch: number; rounds: RoundRecord[] }> {
  const run = store.getRun(runId);
  const usage = (message: string, hint: string) =>
    new CurioError(message, { exitCode: ExitCode.usage, hint });
  const ckpt = store.latestCheckpoint(run.id);
  if (!ckpt)
    throw usage(`run ${run.id} has no checkpoint yet`, "export it after its first Active Attacks round");
  const state = unpackState(ckpt.state, ckpt.blobs) as { target?: StateValue; attacker?: StateValue };
  const rounds = ((state.attacker as { rounds?: { rounds?: RoundRecord[] } } | null)?.rounds?.rounds ??
    []) as RoundRecord[];
  if (rounds.length === 0 || !state.target) {
    throw usage(
      `run ${run.id} has no hardened target: no Active Attacks round ran before its last checkpoint (epoch ${ckpt.epoch})`,
      "set attack.active in curio.yaml; a round runs every attack.active.every epochs",
    );
  }
  const target = await createTarget((run.config as CurioConfig).target, ctx);
  try {
    if (!isTrainableTarget(target))
      throw usage(`run ${run.id}'s target ${target.id} is not one curio trains`, "");
    target.loadState?.(state.target);
    await mkdir(dir, { recursive: true });
    await target.saveModel(join(dir, "model"), { adapterDir: join(dir, "adapter") });
    await writeFile(join(dir, "rounds.json"), `${JSON.stringify(rounds, null, 2)}\n`);
  } finally {
    await target.close?.();
  }
  return { runId: run.id, epoch: ckpt.epoch, rounds };
}
