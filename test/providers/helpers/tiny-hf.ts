// Tiny BERT-like models in the Hugging Face ONNX layout (config.json, tokenizer.json, tokenizer_config.json,
// onnx/model.onnx), written with protobufjs so the real transformers.js loading code runs in the tests.
// Graph: h = E[input_ids] + TT[token_type_ids]            [B,T,H]
//   classifier: logits = masked_mean_T(h) @ W + b         [B,C]
//   feature extractor: last_hidden_state = h              [B,T,H]
import { mkdir, writeFile } from "node:fs/promises";
import { join } from "node:path";
import protobuf from "protobufjs";

const proto = protobuf.Root.fromJSON({
  nested: {
    onnx: {
      nested: {
        ModelProto: {
          fields: {
            irVersion: { type: "int64", id: 1 },
            producerName: { type: "string", id: 2 },
            graph: { type: "GraphProto", id: 7 },
            opsetImport: { rule: "repeated", type: "OperatorSetIdProto", id: 8 },
          },
        },
        OperatorSetIdProto: {
          fields: { domain: { type: "string", id: 1 }, version: { type: "int64", id: 2 } },
        },
        GraphProto: {
          fields: {
            node: { rule: "repeated", type: "NodeProto", id: 1 },
            name: { type: "string", id: 2 },
            initializer: { rule: "repeated", type: "TensorProto", id: 5 },
            input: { rule: "repeated", type: "ValueInfoProto", id: 11 },
            output: { rule: "repeated", type: "ValueInfoProto", id: 12 },
          },
        },
        NodeProto: {
          fields: {
            input: { rule: "repeated", type: "string", id: 1 },
            output: { rule: "repeated", type: "string", id: 2 },
            name: { type: "string", id: 3 },
            opType: { type: "string", id: 4 },
            attribute: { rule: "repeated", type: "AttributeProto", id: 5 },
          },
        },
        AttributeProto: {
          fields: {
            name: { type: "string", id: 1 },
            i: { type: "int64", id: 3 },
            type: { type: "int32", id: 20 },
          },
        },
        TensorProto: {
          fields: {
            dims: { rule: "repeated", type: "int64", id: 1 },
            dataType: { type: "int32", id: 2 },
            name: { type: "string", id: 8 },
            rawData: { type: "bytes", id: 9 },
          },
        },
        ValueInfoProto: { fields: { name: { type: "string", id: 1 }, type: { type: "TypeProto", id: 2 } } },
        TypeProto: { fields: { tensorType: { type: "TensorTypeProto", id: 1 } } },
        TensorTypeProto: {
          fields: { elemType: { type: "int32", id: 1 }, shape: { type: "TensorShapeProto", id: 2 } },
        },
        TensorShapeProto: { fields: { dim: { rule: "repeated", type: "Dimension", id: 1 } } },
        Dimension: { fields: { dimValue: { type: "int64", id: 1 }, dimParam: { type: "string", id: 2 } } },
      },
    },
  },
});
const FLOAT = 1;
const INT64 = 7;

const valueInfo = (name: string, elemType: number, dims: (number | string)[]) => ({
  name,
  type: {
    tensorType: {
      elemType,
      shape: { dim: dims.map((d) => (typeof d === "number" ? { dimValue: d } : { dimParam: d })) },
    },
  },
});
const floatInit = (name: string, data: Float32Array, dims: number[]) => ({
  name,
  dataType: FLOAT,
  dims,
  rawData: new Uint8Array(data.buffer.slice(0)),
});
const int64Init = (name: string, data: number[]) => ({
  name,
  dataType: INT64,
  dims: [data.length],
  rawData: new Uint8Array(BigInt64Array.from(data.map(BigInt)).buffer),
});
const node = (opType: string, input: string[], output: string[], attrs: Record<string, number> = {}) => ({
  opType,
  input,
  output,
  name: output[0],
  attribute: Object.entries(attrs).map(([name, i]) => ({ name, i, type: 2 })),
});

export const VOCAB = [
  "[PAD]",
  "[UNK]",
  "[CLS]",
  "[SEP]",
  "[MASK]",
  "you",
  "are",
  "kind",
  "awful",
  "hate",
  "love",
  "idiot",
  "the",
  "cat",
  "sat",
  "xqz",
];
export const CLS = 2;
export const SEP = 3;

/** Reference tokenization for texts made of vocabulary words, spaces and . , ! ? (BERT: lowercase, split). */
export function referenceIds(text: string): number[] {
  const words = text.toLowerCase().match(/[a-z0-9]+|[^\sa-z0-9]/g) ?? [];
  return [CLS, ...words.map((w) => (VOCAB.includes(w) ? VOCAB.indexOf(w) : 1)), SEP];
}

/** Seeded uniform(-1, 1) floats (LCG), so weights are reproducible. */
export function seededFloats(n: number, seed: number): Float32Array {
  let s = seed >>> 0;
  return Float32Array.from({ length: n }, () => {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    return (s / 2 ** 32) * 2 - 1;
  });
}

export interface TinyWeights {
  hidden: number;
  E: Float32Array; // [V, H]
  TT: Float32Array; // [2, H]
  W?: Float32Array; // [H, C]
  b?: Float32Array; // [C]
}

function tokenizerJson(withSpecialTokens = true) {
  const special = VOCAB.slice(0, 5).map((content, id) => ({
    id,
    content,
    single_word: false,
    lstrip: false,
    rstrip: false,
    normalized: false,
    special: true,
  }));
  const tok = (id: string, ids: number[]) => ({ id, ids, tokens: [id] });
  return {
    version: "1.0",
    truncation: null,
    padding: null,
    added_tokens: special,
    normalizer: {
      type: "BertNormalizer",
      clean_text: true,
      handle_chinese_chars: true,
      strip_accents: null,
      lowercase: true,
    },
    pre_tokenizer: { type: "BertPreTokenizer" },
    post_processor: !withSpecialTokens
      ? null
      : {
          type: "TemplateProcessing",
          single: [
            { SpecialToken: { id: "[CLS]", type_id: 0 } },
            { Sequence: { id: "A", type_id: 0 } },
            { SpecialToken: { id: "[SEP]", type_id: 0 } },
          ],
          pair: [
            { SpecialToken: { id: "[CLS]", type_id: 0 } },
            { Sequence: { id: "A", type_id: 0 } },
            { SpecialToken: { id: "[SEP]", type_id: 0 } },
            { Sequence: { id: "B", type_id: 1 } },
            { SpecialToken: { id: "[SEP]", type_id: 1 } },
          ],
          special_tokens: { "[CLS]": tok("[CLS]", [CLS]), "[SEP]": tok("[SEP]", [SEP]) },
        },
    decoder: { type: "WordPiece", prefix: "##", cleanup: true },
    model: {
      type: "WordPiece",
      unk_token: "[UNK]",
      continuing_subword_prefix: "##",
      max_input_chars_per_word: 100,
      vocab: Object.fromEntries(VOCAB.map((w, i) => [w, i])),
    },
  };
}

/** Writes a tiny model folder; with `labels` a sequence classifier, else a feature extractor. */
export async function writeTinyBert(dir: string, weights: TinyWeights, labels?: string[]): Promise<string> {
  const V = VOCAB.length;
  const H = weights.hidden;
  const nodes = [
    node("Gather", ["E", "input_ids"], ["emb"]),
    node("Gather", ["TT", "token_type_ids"], ["temb"]),
    node("Add", ["emb", "temb"], ["h"]),
  ];
  const inits = [floatInit("E", weights.E, [V, H]), floatInit("TT", weights.TT, [2, H])];
  const outputs = [];
  if (labels) {
    const C = labels.length;
    nodes.push(
      node("Cast", ["attention_mask"], ["m"], { to: FLOAT }),
      node("Unsqueeze", ["m", "axis2"], ["m3"]),
      node("Mul", ["h", "m3"], ["hm"]),
      node("ReduceSum", ["hm", "axis1"], ["s"], { keepdims: 0 }),
      node("ReduceSum", ["m3", "axis1"], ["cnt"], { keepdims: 0 }),
      node("Div", ["s", "cnt"], ["pooled"]),
      node("MatMul", ["pooled", "W"], ["xw"]),
      node("Add", ["xw", "b"], ["logits"]),
    );
    inits.push(
      floatInit("W", weights.W!, [H, C]),
      floatInit("b", weights.b!, [C]),
      int64Init("axis1", [1]),
      int64Init("axis2", [2]),
    );
    outputs.push(valueInfo("logits", FLOAT, ["batch", C]));
  } else {
    nodes.push(node("Identity", ["h"], ["last_hidden_state"]));
    outputs.push(valueInfo("last_hidden_state", FLOAT, ["batch", "seq", H]));
  }
  const model = {
    irVersion: 8,
    producerName: "curio-test",
    opsetImport: [{ domain: "", version: 17 }],
    graph: {
      name: "tiny",
      node: nodes,
      initializer: inits,
      input: ["input_ids", "attention_mask", "token_type_ids"].map((n) =>
        valueInfo(n, INT64, ["batch", "seq"]),
      ),
      output: outputs,
    },
  };
  const ModelProto = proto.lookupType("onnx.ModelProto");
  const err = ModelProto.verify(model);
  if (err) throw new Error(`tiny ONNX model: ${err}`);
  const bytes = ModelProto.encode(ModelProto.fromObject(model)).finish();
  await mkdir(join(dir, "onnx"), { recursive: true });
  await writeFile(join(dir, "onnx", "model.onnx"), bytes);
  const config: Record<string, unknown> = {
    model_type: "bert",
    architectures: [labels ? "BertForSequenceClassification" : "BertModel"],
    vocab_size: V,
    hidden_size: H,
    num_attention_heads: 1,
    num_hidden_layers: 1,
    max_position_embeddings: 64,
    type_vocab_size: 2,
    pad_token_id: 0,
  };
  if (labels) {
    config.id2label = Object.fromEntries(labels.map((l, i) => [String(i), l]));
    config.label2id = Object.fromEntries(labels.map((l, i) => [l, i]));
  }
  await writeFile(join(dir, "config.json"), JSON.stringify(config, null, 2));
  await writeFile(join(dir, "tokenizer.json"), JSON.stringify(tokenizerJson()));
  await writeFile(
    join(dir, "tokenizer_config.json"),
    JSON.stringify({
      tokenizer_class: "BertTokenizer",
      do_lower_case: true,
      model_max_length: 64,
      pad_token: "[PAD]",
      unk_token: "[UNK]",
      cls_token: "[CLS]",
      sep_token: "[SEP]",
      mask_token: "[MASK]",
    }),
  );
  return dir;
}

/**
 * A bigram "causal LM" in the layout transformers.js loads as GPT-2: logits[b,t,:] = T[input_ids[b,t], :]
 * (next token depends on the current one only, so it is exact with or without a KV cache). `next` maps a
 * word to the word it predicts greedily; [SEP] (id 3) is EOS.
 */
export async function writeTinyCausalLM(dir: string, next: Record<string, string>): Promise<string> {
  const V = VOCAB.length;
  const table = new Float32Array(V * V);
  for (let i = 0; i < V; i++) {
    const target = next[VOCAB[i]] ?? "[SEP]";
    table[i * V + VOCAB.indexOf(target)] = 5;
  }
  const model = {
    irVersion: 8,
    producerName: "curio-test",
    opsetImport: [{ domain: "", version: 17 }],
    graph: {
      name: "bigram",
      node: [node("Gather", ["T", "input_ids"], ["logits"])],
      initializer: [floatInit("T", table, [V, V])],
      input: ["input_ids", "attention_mask"].map((n) => valueInfo(n, INT64, ["batch", "seq"])),
      output: [valueInfo("logits", FLOAT, ["batch", "seq", V])],
    },
  };
  const ModelProto = proto.lookupType("onnx.ModelProto");
  const bytes = ModelProto.encode(ModelProto.fromObject(model)).finish();
  await mkdir(join(dir, "onnx"), { recursive: true });
  await writeFile(join(dir, "onnx", "model.onnx"), bytes);
  const config = {
    model_type: "gpt2",
    architectures: ["GPT2LMHeadModel"],
    vocab_size: V,
    n_embd: 4,
    n_head: 1,
    n_layer: 1,
    n_positions: 64,
    bos_token_id: SEP,
    eos_token_id: SEP,
    pad_token_id: 0,
  };
  await writeFile(join(dir, "config.json"), JSON.stringify(config, null, 2));
  await writeFile(
    join(dir, "generation_config.json"),
    JSON.stringify({ bos_token_id: SEP, eos_token_id: SEP, pad_token_id: 0 }),
  );
  await writeFile(join(dir, "tokenizer.json"), JSON.stringify(tokenizerJson(false)));
  await writeFile(
    join(dir, "tokenizer_config.json"),
    JSON.stringify({
      tokenizer_class: "BertTokenizer",
      do_lower_case: true,
      model_max_length: 64,
      pad_token: "[PAD]",
      unk_token: "[UNK]",
      eos_token: "[SEP]",
      bos_token: "[SEP]",
    }),
  );
  return dir;
}
