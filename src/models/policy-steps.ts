// The three generation graphs of a policy (see generate.ts): prompt prefill returning the KV cache, one decode
// step against a static cache fed as inputs, and a full forward (no cache). Each is cached per shape bucket.
// Beside the next-token logits each returns their softmax at the sampling temperature and their log-sum-exp,
// which onnxruntime computes vectorised in a few milliseconds where JavaScript spends ~1 ms a row on exp, and
// (a policy with a value head) the value of each row's state, so that PPO's rollouts need no second forward.
import { Graph, type Tensor } from "../engine/index.js";
import { attentionBias } from "./blocks.js";
import type { KV, StepLogits, StepModel, StepOptions } from "./generate.js";
import type { DecoderPolicy } from "./policy.js";

type Int64 = BigInt64Array;

export function stepModel(policy: DecoderPolicy): StepModel {
  const cfg = policy.config;
  const { kvHeads: KV, headDim: hd, layers: L, width: d, vocabSize: V } = cfg;
  // loraScale 0 without LoRA means the reference policy: the loaded (frozen) values of the trained weights
  const useReference = (loraScale: number): boolean => {
    if (loraScale !== 0 && loraScale !== 1 && policy.trainable.kind !== "lora") {
      throw new Error(`loraScale ${loraScale}: only 0 (reference) or 1 (policy) is valid without LoRA`);
    }
    return loraScale === 0 && policy.trainable.kind !== "lora";
  };
  const stepInputs = (g: Graph, B: number, T: number) => ({
    ids: g.input("input_ids", "int64", [B, T]),
    positionIds: g.input("position_ids", "int64", [B, T]),
    loraScale: g.input("lora_scale", g.floatType, [1]),
  });
  const outputLogits = (g: Graph, logits: Tensor, hidden: Tensor, reference: boolean) => {
    const B = logits.shape[0]!;
    g.output("logits", logits); // [B,V]
    // the value head's estimate of this state, for PPO's rollouts (the policy's, never the reference's)
    if (policy.hasValueHead && !reference) g.output("values", policy.valueHead(g, g.reshape(hidden, [B, d])));
    const invT = g.input("inv_temperature", g.floatType, [1]);
    g.output("probs", g.softmax(g.mul(logits, invT), -1)); // [B,V] at the sampling temperature
    const m = g.max(logits, [-1], true); // [B,1]
    const z = g.log(g.sum(g.exp(g.sub(logits, m)), [-1])); // [B]
    g.output("log_z", g.add(z, g.reshape(m, [B]))); // [B]
  };
  const stepOut = (r: Record<string, { data: unknown }>): StepLogits => ({
    logits: r.logits!.data as Float32Array,
    probs: r.probs!.data as Float32Array,
    logZ: r.log_z!.data as Float32Array,
    values: r.values?.data as Float32Array | undefined,
  });
  const outputKV = (g: Graph, present: { k: Tensor; v: Tensor }[]) =>
    present.forEach(({ k, v }, i) => {
      g.output(`present.${i}.key`, k);
      g.output(`present.${i}.value`, v);
    });
  const kvOut = (r: Record<string, { data: unknown }>): KV[] =>
    Array.from({ length: L }, (_, i) => ({
      k: r[`present.${i}.key`]!.data as Float32Array,
      v: r[`present.${i}.value`]!.data as Float32Array,
    }));
  const run = (
    key: string,
    build: () => Graph,
    feeds: Record<string, Int64 | Float32Array>,
    { loraScale, temperature }: StepOptions,
    decode = false,
  ) =>
    policy.runCached(
      key,
      build,
      {
        ...feeds,
        lora_scale: new Float32Array([loraScale]),
        inv_temperature: new Float32Array([1 / temperature]),
      },
      { decode },
    );

  return {
    vocabSize: V,
    nLayer: L,
    kvHeads: KV,
    headDim: hd,
    nPositions: cfg.maxPositions,
    eosIds: cfg.eosTokenIds,
    startId: cfg.bosTokenId,
    decodeSlots: (B, slots, opts) => policy.decodeSlots(B, slots, useReference(opts.loraScale)).S,
    prefill: async (B, T, ids, mask, pos, opts) => {
      const reference = useReference(opts.loraScale);
      const build = () => {
        const g = new Graph();
        const inp = stepInputs(g, B, T);
        const m = g.input("attention_mask", "int64", [B, T]);
        const { hidden, present } = policy.forward(g, { ...inp, bias: attentionBias(g, m, T), reference });
        const last = g.slice(g.reshape(hidden, [B, T, d]), [T - 1], [T], [1]); // [B,1,d]
        outputLogits(g, g.reshape(policy.lmHead(g, last, { reference }), [B, V]), last, reference); // [B,V]
        outputKV(g, present); // [B,KV,T,hd] each
        return g;
      };
      const feeds = { input_ids: ids, attention_mask: mask, position_ids: pos };
      const r = await run(`prefill:b${B}:t${T}${reference ? ":ref" : ""}`, build, feeds, opts);
      return { ...stepOut(r), kv: kvOut(r) };
    },
    decode: async (B, S, ids, pos, pastMask, past, opts) => {
      const reference = useReference(opts.loraScale);
      const build = () => {
        const g = new Graph();
        const inp = stepInputs(g, B, 1);
        const pm = g.input("past_mask", "int64", [B, S]);
        const pastKV = Array.from({ length: L }, (_, i) => ({
          k: g.input(`past.${i}.key`, "float32", [B, KV, S, hd]),
          v: g.input(`past.${i}.value`, "float32", [B, KV, S, hd]),
        }));
        const keyMask = g.concat(
          [g.cast(pm, g.floatType), g.constant(new Float32Array(B).fill(1), [B, 1])],
          1,
        ); // [B,S+1]
        const { hidden, present } = policy.forward(g, {
          ...inp,
          bias: attentionBias(g, keyMask, 1), // [B,1,1,S+1]
          past: pastKV,
          reference,
        });
        outputLogits(g, policy.lmHead(g, hidden, { reference }), hidden, reference); // [B,V]
        outputKV(g, present); // [B,KV,1,hd] each
        return g;
      };
      const feeds: Record<string, Int64 | Float32Array> = {
        input_ids: ids,
        position_ids: pos,
        past_mask: pastMask,
      };
      past.forEach(({ k, v }, i) => {
        feeds[`past.${i}.key`] = k;
        feeds[`past.${i}.value`] = v;
      });
      const { S: slots, key } = policy.decodeSlots(B, S, reference);
      if (slots !== S) throw new Error(`decode: ${S} cache slots, but this batch size decodes with ${slots}`);
      const r = await run(key, build, feeds, opts, true);
      return { ...stepOut(r), kv: kvOut(r) };
    },
    full: async (B, S, ids, mask, pos, at, opts) => {
      const reference = useReference(opts.loraScale);
      const build = () => {
        const g = new Graph();
        const inp = stepInputs(g, B, S);
        const m = g.input("attention_mask", "int64", [B, S]);
        const atIdx = g.input("at", "int64", [B, 1, d]);
        const { hidden } = policy.forward(g, { ...inp, bias: attentionBias(g, m, S), reference });
        const row = g.gatherElements(g.reshape(hidden, [B, S, d]), atIdx, 1); // [B,1,d]
        outputLogits(g, g.reshape(policy.lmHead(g, row, { reference }), [B, V]), row, reference); // [B,V]
        return g;
      };
      const feeds = {
        input_ids: ids,
        attention_mask: mask,
        position_ids: pos,
        at: new BigInt64Array(B * d).fill(BigInt(at)),
      };
      const r = await run(`full:b${B}:s${S}${reference ? ":ref" : ""}`, build, feeds, opts);
      return stepOut(r);
    },
  };
}
