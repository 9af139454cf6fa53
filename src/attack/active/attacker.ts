// Active Attacks around any learning attacker (attack.active in curio.yaml): the inner attacker proposes and
// learns as usual; every `every` epochs (not after the last) a round safety-tunes the target on the attacks
// found (rounds.ts), the inner attacker is told its old rewards are stale (the GFlowNet empties its replay
// buffer; its reference model stays the initial attacker), and the hardened target is written out. Each round's
// numbers join that epoch's statistics (`active.*`) and the folder's rounds.json.
import { mkdir, rename, rm, writeFile } from "node:fs/promises";
import { join, resolve } from "node:path";
import type { Policy } from "../../models/index.js";
import { isTrainableTarget, type Judge, type TrainableTarget } from "../../providers/index.js";
import type { StateValue } from "../../util/checkpoint.js";
import { ConfigError } from "../../util/errors.js";
import type { Attacker, AttackerContext, Feedback, LearnResult, Proposal } from "../types.js";
import type { ActiveAttacksOptions } from "./options.js";
import { ActiveRounds, type ActiveRoundsState, type RoundRecord } from "./rounds.js";

/** An attacker that keeps rewards from past targets (a replay buffer) and can drop them. */
interface AdaptsToTarget {
  targetChanged(): void;
}
const adapts = (a: Attacker): a is Attacker & AdaptsToTarget =>
  typeof (a as Partial<AdaptsToTarget>).targetChanged === "function";

export class ActiveAttacker implements Attacker {
  readonly eosText: string | null;
  readonly redTeamModel?: Policy;

  constructor(
    private readonly inner: Attacker,
    private readonly rounds: ActiveRounds,
    private readonly opts: ActiveAttacksOptions,
    private readonly target: TrainableTarget,
    private readonly judge: Judge,
    private readonly totalEpochs: number,
    /** Where the hardened target is written after each round. */
    readonly exportDir: string,
    private readonly log: (line: string) => void,
  ) {
    this.eosText = inner.eosText;
    this.redTeamModel = inner.redTeamModel;
  }

  propose(seeds: readonly string[], opts?: { signal?: AbortSignal }): Promise<Proposal> {
    return this.inner.propose(seeds, opts);
  }

  async learn(fb: Feedback): Promise<LearnResult> {
    const learnt = await this.inner.learn(fb);
    this.rounds.collect(fb.targetInputs, fb.judgeScores);
    if (fb.epoch % this.opts.every !== 0 || fb.epoch >= this.totalEpochs) return learnt;
    const r = await this.rounds.run(fb.epoch, this.target, this.judge);
    if (this.opts.resetReplay && adapts(this.inner)) this.inner.targetChanged();
    const rate = (x: number | null) => (x === null ? "n/a" : `${(100 * x).toFixed(1)}%`);
    this.log(
      `Active Attacks round ${r.round} (epoch ${r.epoch}): ${r.found} new attacks, ${r.pairs} refusal pairs; ` +
        `attack success on ${r.heldOut} held-out attacks ${rate(r.asrBefore)} -> ${rate(r.asrAfter)}`,
    );
    if (r.pairs > 0) await this.export();
    const loss = { ...learnt.loss };
    for (const [k, v] of Object.entries(r)) if (v !== null) loss[`active.${k}`] = v;
    return { ...learnt, loss };
  }

  /** Writes the hardened target (model/, adapter/) and rounds.json; a new folder replaces the old one whole. */
  async export(): Promise<void> {
    const tmp = `${this.exportDir}.tmp-${process.pid}`;
    await rm(tmp, { recursive: true, force: true });
    await mkdir(tmp, { recursive: true });
    await this.target.saveModel(join(tmp, "model"), { adapterDir: join(tmp, "adapter") });
    await writeFile(join(tmp, "rounds.json"), `${JSON.stringify(this.rounds.records, null, 2)}\n`);
    await rm(this.exportDir, { recursive: true, force: true });
    await rename(tmp, this.exportDir);
    this.log(`hardened target written to ${this.exportDir}`);
  }

  get records(): readonly RoundRecord[] {
    return this.rounds.records;
  }

  state(): StateValue {
    return { inner: this.inner.state(), rounds: this.rounds.state() as unknown as StateValue };
  }

  loadState(s: StateValue): void {
    const st = s as { inner: StateValue; rounds: unknown };
    this.inner.loadState(st.inner);
    this.rounds.loadState(st.rounds as ActiveRoundsState);
  }

  release(): Promise<void> {
    return this.inner.release();
  }
}

/** Checks, before anything runs, that the target can be trained; then wraps the method's attacker. */
export function checkActiveTarget(ctx: Pick<AttackerContext, "target" | "config">): TrainableTarget {
  if (!isTrainableTarget(ctx.target)) {
    throw new ConfigError(
      `attack.active: Active Attacks safety-tunes the target between rounds, and curio cannot train ${ctx.target.id}`,
      {
        hint:
          "use a target curio runs in-process (target: { id: local:FOLDER }, any Hugging Face GPT-2, Llama or " +
          "Qwen folder), or remove attack.active",
      },
    );
  }
  return ctx.target;
}

export function withActiveAttacks(
  inner: Attacker,
  ctx: Omit<AttackerContext, "options">,
  opts: ActiveAttacksOptions,
): ActiveAttacker {
  const target = checkActiveTarget(ctx);
  const { config, seed } = ctx;
  const rounds = new ActiveRounds(
    {
      heldOut: opts.heldOut,
      refusals: opts.refusals,
      maxPairs: opts.maxPairs,
      tau: config.thresholds.success,
      tune: {
        lora: { r: opts.lora.r, alpha: opts.lora.alpha, targets: opts.lora.targets ?? undefined },
        lr: opts.lr,
        steps: opts.steps,
        batchSize: opts.batchSize,
        seed,
      },
    },
    seed,
  );
  const exportDir = opts.exportTo
    ? resolve(ctx.baseDir, opts.exportTo)
    : resolve(ctx.baseDir, config.workspace, "hardened", `${config.name}-${seed}`);
  return new ActiveAttacker(inner, rounds, opts, target, ctx.judge, ctx.totalEpochs, exportDir, ctx.log);
}
