// Rotary-position keys of a config.json: rope_theta and rope_scaling as transformers 4 writes them, or
// rope_parameters as transformers 5 does; the types curio computes (default, linear, llama3) and the rest refused.
import type { Positions } from "../family.js";

const ROPE_TYPES = ["default", "linear", "llama3"];

/** rope_theta and rope_scaling (transformers 4) or rope_parameters (transformers 5). */
export function parsePositions(c: Record<string, unknown>, file: string, maxPositions: number): Positions {
  const fail = (msg: string): never => {
    throw new Error(`${file}: ${msg}`);
  };
  const params = (c.rope_parameters ?? c.rope_scaling ?? {}) as Record<string, unknown>;
  if (typeof params !== "object" || Array.isArray(params)) fail("rope_scaling must be an object or null");
  if (c.partial_rotary_factor != null && c.partial_rotary_factor !== 1) {
    fail(
      `partial_rotary_factor ${c.partial_rotary_factor} is not supported (only 1: RoPE on the whole head)`,
    );
  }
  const nested = Object.values(params).some((v) => v !== null && typeof v === "object");
  if (nested) fail("per-layer-type rope_parameters are not supported (one RoPE for every layer)");
  const type = String(params.rope_type ?? params.type ?? "default");
  if (!ROPE_TYPES.includes(type)) {
    fail(`rope_scaling type "${type}" is not supported (supported: ${ROPE_TYPES.join(", ")})`);
  }
  const theta = Number(params.rope_theta ?? c.rope_theta ?? 10000);
  if (!(theta > 0)) fail(`rope_theta must be > 0, got ${JSON.stringify(params.rope_theta ?? c.rope_theta)}`);
  const num = (key: string, fallback?: number): number => {
    const v = params[key] ?? fallback;
    if (typeof v !== "number" || !(v > 0))
      fail(`rope_scaling.${key} must be a number > 0, got ${JSON.stringify(v)}`);
    return v as number;
  };
  if (type === "linear") return { kind: "rope", theta, scaling: { type: "linear", factor: num("factor") } };
  if (type === "llama3") {
    const scaling = {
      type: "llama3" as const,
      factor: num("factor"),
      lowFreqFactor: num("low_freq_factor"),
      highFreqFactor: num("high_freq_factor"),
      originalMaxPositions: num("original_max_position_embeddings", maxPositions),
    };
    if (!(scaling.highFreqFactor > scaling.lowFreqFactor)) {
      fail("rope_scaling.high_freq_factor must be greater than low_freq_factor");
    }
    return { kind: "rope", theta, scaling };
  }
  return { kind: "rope", theta };
}

export function ropeJson(p: Positions): Record<string, unknown> {
  if (p.kind !== "rope") return {};
  const s = p.scaling;
  const scaling =
    s === undefined
      ? null
      : s.type === "linear"
        ? { rope_type: "linear", factor: s.factor }
        : {
            rope_type: "llama3",
            factor: s.factor,
            low_freq_factor: s.lowFreqFactor,
            high_freq_factor: s.highFreqFactor,
            original_max_position_embeddings: s.originalMaxPositions,
          };
  return { rope_theta: p.theta, rope_scaling: scaling };
}
