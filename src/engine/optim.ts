// Optimisers with PyTorch semantics, updating Float32Array parameters in place between ONNX runs.
// Arithmetic is in float64 and rounded to float32 on store.

export interface Optimizer {
  step(params: Float32Array[], grads: Float32Array[]): void;
  state(): Record<string, Float32Array | number>;
  loadState(s: Record<string, Float32Array | number>): void;
  lr: number;
}

function checkPairs(who: string, params: Float32Array[], grads: Float32Array[], slots: Float32Array[]): void {
  if (params.length !== grads.length) {
    throw new Error(`${who}.step: ${params.length} params but ${grads.length} grads`);
  }
  if (slots.length > 0 && slots.length !== params.length) {
    throw new Error(
      `${who}.step: the optimiser state holds ${slots.length} tensors but ${params.length} params were given`,
    );
  }
  params.forEach((p, i) => {
    if (p.length !== grads[i]!.length) {
      throw new Error(
        `${who}.step: param ${i} has ${p.length} elements but its grad has ${grads[i]!.length}`,
      );
    }
  });
}

function readSlots(who: string, s: Record<string, Float32Array | number>, prefix: string): Float32Array[] {
  const out: Float32Array[] = [];
  for (let i = 0; s[`${prefix}.${i}`] !== undefined; i++) {
    const v = s[`${prefix}.${i}`];
    if (!(v instanceof Float32Array))
      throw new Error(`${who}.loadState: "${prefix}.${i}" must be a Float32Array`);
    out.push(v.slice());
  }
  return out;
}

/** torch.optim.SGD: g += wd p; buf = momentum buf + g (buf = g on the first step); p -= lr buf. */
export class SGD implements Optimizer {
  lr: number;
  readonly momentum: number;
  readonly weightDecay: number;
  private buffers: Float32Array[] = [];

  constructor(opts: { lr: number; momentum?: number; weightDecay?: number }) {
    this.lr = opts.lr;
    this.momentum = opts.momentum ?? 0;
    this.weightDecay = opts.weightDecay ?? 0;
  }

  step(params: Float32Array[], grads: Float32Array[]): void {
    checkPairs("SGD", params, grads, this.buffers);
    const first = this.momentum !== 0 && this.buffers.length === 0;
    if (first) this.buffers = params.map((p) => new Float32Array(p.length));
    params.forEach((p, i) => {
      const g = grads[i]!;
      const buf = this.buffers[i];
      for (let j = 0; j < p.length; j++) {
        let d = g[j]! + this.weightDecay * p[j]!;
        if (buf) {
          d = first ? d : this.momentum * buf[j]! + d;
          buf[j] = d;
          d = buf[j]!;
        }
        p[j] = p[j]! - this.lr * d;
      }
    });
  }

  state(): Record<string, Float32Array | number> {
    const s: Record<string, Float32Array | number> = { lr: this.lr };
    this.buffers.forEach((b, i) => {
      s[`momentum.${i}`] = b.slice();
    });
    return s;
  }

  loadState(s: Record<string, Float32Array | number>): void {
    if (typeof s.lr === "number") this.lr = s.lr;
    this.buffers = readSlots("SGD", s, "momentum");
  }
}

/**
 * torch.optim.AdamW: p *= 1 - lr wd; m = b1 m + (1 - b1) g; v = b2 v + (1 - b2) g^2;
 * p -= lr / (1 - b1^t) * m / (sqrt(v) / sqrt(1 - b2^t) + eps).
 */
export class AdamW implements Optimizer {
  lr: number;
  readonly betas: [number, number];
  readonly eps: number;
  readonly weightDecay: number;
  private t = 0;
  private m: Float32Array[] = [];
  private v: Float32Array[] = [];

  constructor(opts: { lr: number; betas?: [number, number]; eps?: number; weightDecay?: number }) {
    this.lr = opts.lr;
    this.betas = opts.betas ?? [0.9, 0.999];
    this.eps = opts.eps ?? 1e-8;
    this.weightDecay = opts.weightDecay ?? 0.01;
  }

  step(params: Float32Array[], grads: Float32Array[]): void {
    checkPairs("AdamW", params, grads, this.m);
    if (this.m.length === 0) {
      this.m = params.map((p) => new Float32Array(p.length));
      this.v = params.map((p) => new Float32Array(p.length));
    }
    this.t += 1;
    const [b1, b2] = this.betas;
    const stepSize = this.lr / (1 - b1 ** this.t);
    const bc2Sqrt = Math.sqrt(1 - b2 ** this.t);
    const decay = 1 - this.lr * this.weightDecay;
    params.forEach((p, i) => {
      const g = grads[i]!;
      const m = this.m[i]!;
      const v = this.v[i]!;
      for (let j = 0; j < p.length; j++) {
        const gj = g[j]!;
        m[j] = b1 * m[j]! + (1 - b1) * gj;
        v[j] = b2 * v[j]! + (1 - b2) * gj * gj;
        const denom = Math.sqrt(v[j]!) / bc2Sqrt + this.eps;
        p[j] = p[j]! * decay - (stepSize * m[j]!) / denom;
      }
    });
  }

  state(): Record<string, Float32Array | number> {
    const s: Record<string, Float32Array | number> = { lr: this.lr, step: this.t };
    this.m.forEach((m, i) => {
      s[`exp_avg.${i}`] = m.slice();
      s[`exp_avg_sq.${i}`] = this.v[i]!.slice();
    });
    return s;
  }

  loadState(s: Record<string, Float32Array | number>): void {
    if (typeof s.lr === "number") this.lr = s.lr;
    if (typeof s.step !== "number") throw new Error('AdamW.loadState: "step" must be a number');
    this.t = s.step;
    this.m = readSlots("AdamW", s, "exp_avg");
    this.v = readSlots("AdamW", s, "exp_avg_sq");
    if (this.m.length !== this.v.length)
      throw new Error("AdamW.loadState: exp_avg and exp_avg_sq counts differ");
  }
}

/**
 * torch.nn.utils.clip_grad_norm_ (L2, in place): scales every gradient by min(1, maxNorm / (norm + 1e-6)).
 * Returns the total norm before clipping.
 */
export function clipGradNorm(grads: Float32Array[], maxNorm: number): number {
  let sq = 0;
  for (const g of grads) for (let j = 0; j < g.length; j++) sq += g[j]! * g[j]!;
  const norm = Math.sqrt(sq);
  const coef = Math.min(maxNorm / (norm + 1e-6), 1);
  if (!(coef >= 1)) for (const g of grads) for (let j = 0; j < g.length; j++) g[j] = g[j]! * coef;
  return norm;
}
