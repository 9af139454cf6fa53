// The one validated boundary to onnxruntime-node: feeds are checked against the graph's static signature
// before running, and an ORT failure is rethrown with every input's name, dtype and dims.
import * as ort from "onnxruntime-node";
import { createCachedSession } from "./compile-cache.js";
import { checkDevice, type Device, executionProviders } from "./device.js";
import { ARRAY_NAME, type DType, numel, shapeStr } from "./dtype.js";
import type { Graph } from "./graph.js";
import { lowerGraph, type ModelSignature, type WeightMode } from "./onnx.js";
import { ModelProto } from "./onnx-proto.js";

export type Feed = Float32Array | Float64Array | Uint16Array | BigInt64Array | Int32Array | Uint8Array;
export interface OutputTensor {
  data: Float32Array | Float64Array | Uint16Array | BigInt64Array | Int32Array | Uint8Array;
  dims: number[];
}

/** A feed that does not match the graph: names the input and what it expects. */
export class FeedError extends Error {
  override name = "FeedError";
  constructor(
    message: string,
    readonly input: string,
  ) {
    super(message);
  }
}

/** onnxruntime failed while running a validated feed; the message lists every input. */
export class SessionRunError extends Error {
  override name = "SessionRunError";
}

export interface SessionOptions {
  /** intra-op threads (default 2) */
  threads?: number;
  /** ORT graph optimisation level (default "all") */
  optimization?: "disabled" | "basic" | "extended" | "all";
  /**
   * let idle intra-op threads spin-wait (ORT's own default). Default false here: like PyTorch with
   * OMP_WAIT_POLICY=PASSIVE, idle threads yield their core, which on a shared 2-core machine made a GPT-2
   * block's forward+backward 1.2-1.9x faster; set true on a dedicated machine to try the spinning pool.
   */
  spinning?: boolean;
  /**
   * frozen weights as shared zero-copy inputs or as per-session initializers (see WeightMode). Default: inputs on
   * the CPU; initializers on CUDA, where inputs would cross to the GPU on every run.
   */
  weights?: WeightMode;
  /**
   * onnxruntime's CPU memory arena (default false). With it each session keeps the peak of its intermediates
   * after a run, so several live sessions (shape buckets, graph kinds) add up; without it memory is returned
   * after each run. GPT-2 small PPO benchmark, peak RSS: 7.6 GB with arena and patterns, 3.5 GB without either.
   */
  memArena?: boolean;
  /** onnxruntime's memory pattern planning (default false: it alone raised that peak from 3.5 to 4.6 GB) */
  memPattern?: boolean;
  /** "cpu" (default) or "cuda" (onnxruntime-node's CUDA 12 provider; see checkDevice) */
  device?: Device;
  /** a folder for the compiled-model cache (see compile-cache.ts; weights: "inputs" only); none by default */
  cacheDir?: string;
}

const TYPED: Record<DType, new (n: number) => Feed> = {
  float32: Float32Array,
  float64: Float64Array,
  float16: Uint16Array,
  int64: BigInt64Array,
  int32: Int32Array,
  bool: Uint8Array,
};

export class Session {
  readonly inputNames: string[];
  readonly outputNames: string[];
  /** true when onnxruntime's optimised model came from the compiled-model cache */
  cached = false;

  private constructor(
    private readonly ort: ort.InferenceSession,
    private readonly signature: ModelSignature,
    /** inputs the graph declares but its outputs do not use: accepted and ignored */
    private readonly unused: Set<string>,
    /** the frozen weights this session feeds itself: tensors over the graph's own arrays (no copy) */
    private readonly weightFeeds: Record<string, ort.Tensor>,
  ) {
    this.inputNames = signature.inputs.map((i) => i.name);
    this.outputNames = signature.outputs.map((o) => o.name);
  }

  static async create(graph: Graph, opts: SessionOptions = {}): Promise<Session> {
    const device = opts.device ?? "cpu";
    checkDevice(device);
    const { model, signature } = lowerGraph(graph, {
      weights: opts.weights ?? (device === "cuda" ? "initializers" : "inputs"),
      externalData: true,
    });
    const bytes = ModelProto.encode(model).finish();
    const used = new Set(signature.inputs.map((i) => i.name));
    const unused = new Set<string>();
    for (const n of graph.nodes) {
      if ((n.op === "input" || n.op === "param") && !used.has(n.attrs.name!)) unused.add(n.attrs.name!);
    }
    const optimization = opts.optimization ?? "all";
    const ortOptions: ort.InferenceSession.SessionOptions = {
      executionProviders: executionProviders(device),
      intraOpNumThreads: opts.threads ?? 2,
      interOpNumThreads: 1,
      graphOptimizationLevel: optimization,
      executionMode: "sequential",
      enableCpuMemArena: opts.memArena ?? false,
      enableMemPattern: opts.memPattern ?? false,
      logSeverityLevel: 3,
      externalData: signature.external.map((w, i) => ({
        path: `w${i}`,
        data: new Uint8Array(w.data.buffer, w.data.byteOffset, w.data.byteLength),
      })),
      extra: {
        session: {
          intra_op: { allow_spinning: opts.spinning ? "1" : "0" },
        },
      },
    };
    // the cache holds graphs, not weights: models with initializer weights compile every time
    const { session, hit } =
      opts.cacheDir && signature.external.length === 0
        ? await createCachedSession(bytes, ortOptions, opts.cacheDir, { optimization, device })
        : { session: await ort.InferenceSession.create(bytes, ortOptions), hit: false };
    const weightFeeds = Object.fromEntries(
      signature.weights.map((w) => [w.name, new ort.Tensor(w.dtype, w.data, [...w.shape])]),
    );
    const created = new Session(session, signature, unused, weightFeeds);
    created.cached = hit;
    return created;
  }

  /** Runs the model; outputs defaults to every output, in graph order. */
  async run(feeds: Record<string, Feed>, outputs?: string[]): Promise<Record<string, OutputTensor>> {
    const tensors: Record<string, ort.Tensor> = { ...this.weightFeeds };
    for (const name of Object.keys(feeds)) {
      if (!this.unused.has(name) && !this.signature.inputs.some((i) => i.name === name)) {
        throw new FeedError(
          `Session.run: unknown input "${name}"; the graph's inputs are ${this.inputNames.map((n) => `"${n}"`).join(", ") || "(none)"}`,
          name,
        );
      }
    }
    for (const { name, dtype, shape } of this.signature.inputs) {
      const feed = feeds[name];
      const want = `${dtype} (${ARRAY_NAME[dtype]}) of shape ${shapeStr(shape)} (${numel(shape)} elements)`;
      if (feed === undefined)
        throw new FeedError(`Session.run: missing input "${name}": expected ${want}`, name);
      if (!(feed instanceof TYPED[dtype])) {
        throw new FeedError(
          `Session.run: input "${name}" expects ${want}, got ${feed?.constructor?.name ?? typeof feed}`,
          name,
        );
      }
      if (feed.length !== numel(shape)) {
        throw new FeedError(
          `Session.run: input "${name}" expects ${want}, got ${feed.length} elements`,
          name,
        );
      }
      tensors[name] = new ort.Tensor(dtype, feed, [...shape]);
    }
    const wanted = outputs ?? this.outputNames;
    for (const o of wanted) {
      if (!this.outputNames.includes(o)) {
        throw new FeedError(
          `Session.run: unknown output "${o}"; the graph's outputs are ${this.outputNames.map((n) => `"${n}"`).join(", ")}`,
          o,
        );
      }
    }
    let results: ort.InferenceSession.OnnxValueMapType;
    try {
      results = await this.ort.run(tensors, wanted);
    } catch (err) {
      const described = this.signature.inputs
        .map((i) => `${i.name}: ${i.dtype} ${shapeStr(i.shape)}`)
        .join("; ");
      throw new SessionRunError(`onnxruntime failed: ${(err as Error).message}\ninputs: ${described}`, {
        cause: err,
      });
    }
    const out: Record<string, OutputTensor> = {};
    for (const name of wanted) {
      const t = results[name] as ort.Tensor;
      out[name] = { data: t.data as OutputTensor["data"], dims: [...t.dims] };
    }
    return out;
  }

  async release(): Promise<void> {
    await this.ort.release();
  }
}

/** One Session per key (e.g. `train:b64:t64`), built on first use; least recently used evicted past maxEntries. */
export class SessionCache {
  private readonly entries = new Map<string, Promise<Session>>();
  private readonly opts: SessionOptions;
  private readonly maxEntries: number;

  constructor(opts: SessionOptions & { maxEntries?: number } = {}) {
    const { maxEntries: _, ...sessionOpts } = opts;
    this.opts = sessionOpts;
    this.maxEntries = opts.maxEntries ?? 16;
  }

  get size(): number {
    return this.entries.size;
  }

  async get(key: string, build: () => Graph): Promise<Session> {
    let entry = this.entries.get(key);
    if (entry) {
      this.entries.delete(key); // re-insert: most recently used last
      this.entries.set(key, entry);
      return entry;
    }
    entry = Session.create(build(), this.opts);
    this.entries.set(key, entry);
    entry.catch(() => this.entries.delete(key));
    while (this.entries.size > this.maxEntries) {
      const [oldest, old] = this.entries.entries().next().value as [string, Promise<Session>];
      this.entries.delete(oldest);
      old.then((s) => s.release()).catch(() => {});
    }
    return entry;
  }

  /** Releases the session under `key`, if there is one. */
  async delete(key: string): Promise<void> {
    const entry = this.entries.get(key);
    this.entries.delete(key);
    await entry?.then((s) => s.release()).catch(() => {});
  }

  async clear(): Promise<void> {
    const all = [...this.entries.values()];
    this.entries.clear();
    await Promise.all(all.map((p) => p.then((s) => s.release()).catch(() => {})));
  }
}
