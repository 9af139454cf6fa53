/** KL coefficient controllers with trlx 0.7 semantics (trlx/models/modeling_ppo.py). */
export interface KlController {
  readonly value: number;
  /** current: mean KL (summed over a sample's tokens, averaged over samples); nSteps: samples seen since the last update. */
  update(current: number, nSteps: number): void;
  state(): KlControllerState;
}

export type KlControllerState =
  | { kind: "fixed"; value: number }
  | { kind: "adaptive"; value: number; target: number; horizon: number };

export class FixedKlController implements KlController {
  constructor(public value: number) {}
  update(_current: number, _nSteps: number): void {}
  state(): KlControllerState {
    return { kind: "fixed", value: this.value };
  }
}

/** Ziegler et al. 2019: beta *= 1 + clip(current / target - 1, -0.2, 0.2) * nSteps / horizon. */
export class AdaptiveKlController implements KlController {
  constructor(
    public value: number,
    readonly target: number,
    readonly horizon: number,
  ) {
    if (!(target > 0)) throw new Error(`AdaptiveKlController: target must be > 0, got ${target}`);
    if (!(horizon > 0)) throw new Error(`AdaptiveKlController: horizon must be > 0, got ${horizon}`);
  }

  update(current: number, nSteps: number): void {
    const err = Math.min(0.2, Math.max(-0.2, current / this.target - 1));
    this.value *= 1 + (err * nSteps) / this.horizon;
  }

  state(): KlControllerState {
    return { kind: "adaptive", value: this.value, target: this.target, horizon: this.horizon };
  }
}

/** Builds a controller: adaptive when `target` is given (as trlx does when config.method.target is set). */
export function makeKlController(opts: {
  initKlCoef: number;
  target?: number | null;
  horizon?: number;
}): KlController {
  if (opts.target == null) return new FixedKlController(opts.initKlCoef);
  return new AdaptiveKlController(opts.initKlCoef, opts.target, opts.horizon ?? 10000);
}

export function klControllerFromState(s: KlControllerState): KlController {
  if (s.kind === "fixed") return new FixedKlController(s.value);
  if (s.kind === "adaptive") return new AdaptiveKlController(s.value, s.target, s.horizon);
  throw new Error(`unknown KL controller state kind ${JSON.stringify((s as { kind: unknown }).kind)}`);
}
