// RunStore: every run, sample, epoch and checkpoint of a workspace in one SQLite file (curio.db).
//
// Durability: WAL journal with synchronous=NORMAL. A commit is durable once the process has
// returned from it if the *process* dies (kill -9, crash, Ctrl-C), because the WAL is written
// before the call returns. On power loss or an OS crash, NORMAL may lose the last few commits,
// but WAL frames are applied in order, so what survives is always a prefix of the history: a
// checkpoint never survives without the samples committed before it, and the database is never
// corrupt. Resume rolls back to the latest surviving checkpoint anyway, so losing a suffix costs
// only recomputation, while FULL would add an fsync to every commit (each epoch's samples and
// each multi-megabyte checkpoint). Users who want power-loss durability of every commit can pass
// { synchronous: "FULL" }.
import { randomBytes } from "node:crypto";
import { existsSync, mkdirSync } from "node:fs";
import { join, resolve } from "node:path";
import Database from "better-sqlite3";
import { ExitCode } from "../config/errors.js";
import { closest } from "../config/format-issues.js";
import { StoreError, storeFailure } from "./errors.js";
import { HUMAN_VERDICTS, MAX_NOTE_CHARS, markFingerprint, markQueries } from "./marks.js";
import { migrate, OLDEST_READABLE_VERSION, SCHEMA_VERSION, schemaVersion } from "./migrations.js";
import { redactSecrets } from "./redact.js";
import { epochFromJson, type RunRow, rowToRun, rowToSample, type SampleRow, sampleToRow } from "./rows.js";
import type { EpochStats, HumanMark, HumanVerdict, RunInfo, RunStatus, SampleRecord } from "./types.js";

export const STORE_FILE = "curio.db";

export interface Checkpoint {
  epoch: number;
  sampleCount: number;
  state: unknown;
  blobs: Record<string, Uint8Array>;
}

export interface OpenOptions {
  readonly?: boolean;
  /** "NORMAL" (default, see the header) or "FULL" (fsync every commit). */
  synchronous?: "NORMAL" | "FULL";
  /** Refuse to grow curio.db beyond this many bytes (writes then fail like on a full disk). */
  maxSizeBytes?: number;
}

const PAGE = 256; // rows per page when streaming samples

function dateStamp(d: Date): string {
  return d.toISOString().slice(0, 10).replaceAll("-", "");
}

export class RunStore {
  readonly file: string;
  readonly readonly: boolean;
  private readonly db: Database.Database;
  private readonly q: ReturnType<typeof prepareStatements>;
  private readonly markQ: ReturnType<typeof markQueries>;

  private constructor(db: Database.Database, file: string, readonly: boolean) {
    this.db = db;
    this.file = file;
    this.readonly = readonly;
    this.q = prepareStatements(db);
    this.markQ = markQueries(db);
  }

  /** Opens (creating if needed) <workspace>/curio.db. */
  static open(workspace: string, opts: OpenOptions = {}): RunStore {
    const dir = resolve(workspace);
    const file = join(dir, STORE_FILE);
    const readonly = opts.readonly ?? false;
    if (readonly && !existsSync(file)) {
      throw new StoreError(`no curio store in ${dir} (${STORE_FILE} not found)`, {
        code: "ENOENT",
        exitCode: ExitCode.usage,
        hint: "start a run with `curio run -c curio.yaml`, or point to the workspace that holds your runs",
      });
    }
    let db: Database.Database | undefined;
    try {
      if (!readonly) mkdirSync(dir, { recursive: true });
      db = new Database(file, { readonly, fileMustExist: readonly });
      db.pragma("busy_timeout = 5000");
      if (!readonly) {
        db.pragma("journal_mode = WAL");
        db.pragma(`synchronous = ${opts.synchronous ?? "NORMAL"}`);
        // Truncate the WAL after checkpointing big blobs instead of keeping it at its peak size.
        db.pragma("journal_size_limit = 67108864");
      }
      db.pragma("foreign_keys = ON");
      if (opts.maxSizeBytes !== undefined) {
        const pageSize = db.pragma("page_size", { simple: true }) as number;
        db.pragma(`max_page_count = ${Math.max(1, Math.floor(opts.maxSizeBytes / pageSize))}`);
      }
      const version = schemaVersion(db);
      if (version === 0) {
        const tables = db.prepare("SELECT count(*) AS n FROM sqlite_master WHERE type = 'table'").get() as {
          n: number;
        };
        if (tables.n > 0) {
          throw new StoreError(`${file} is an SQLite database but not a curio store`, {
            exitCode: ExitCode.usage,
            hint: "choose another workspace folder",
          });
        }
      }
      if (version > SCHEMA_VERSION) {
        throw new StoreError(
          `${file} was written by a newer curio (store schema v${version}; this curio reads up to v${SCHEMA_VERSION})`,
          { exitCode: ExitCode.usage, hint: "upgrade curio (npm i curio-redteam@latest)" },
        );
      }
      if (version < SCHEMA_VERSION && !(readonly && version >= OLDEST_READABLE_VERSION)) {
        if (readonly) {
          throw new StoreError(
            `${file} has store schema v${version} and needs upgrading to v${SCHEMA_VERSION}`,
            {
              exitCode: ExitCode.usage,
              hint: "open it once without read-only mode (e.g. `curio runs`) to upgrade it",
            },
          );
        }
        migrate(db, version);
      }
      return new RunStore(db, file, readonly);
    } catch (e) {
      db?.close();
      throw storeFailure(e, "opening the run store", file);
    }
  }

  close(): void {
    if (this.db.open) this.db.close();
  }

  /** Runs `fn` in one transaction, turning SQLite failures into StoreErrors naming `action`. */
  private write<T>(action: string, fn: () => T): T {
    if (this.readonly) {
      throw new StoreError(`${action}: the store was opened read-only (${this.file})`, {
        exitCode: ExitCode.usage,
      });
    }
    try {
      return this.db.transaction(fn)();
    } catch (e) {
      throw storeFailure(e, action, this.file);
    }
  }

  private read<T>(action: string, fn: () => T): T {
    try {
      return fn();
    } catch (e) {
      throw storeFailure(e, action, this.file);
    }
  }

  // ---- runs -------------------------------------------------------------------------------

  createRun(info: Omit<RunInfo, "id" | "createdAt" | "status"> & { id?: string }): RunInfo {
    return this.write("creating a run", () => {
      const now = new Date();
      let id = info.id;
      if (id !== undefined) {
        if (!/^[A-Za-z0-9][A-Za-z0-9._-]*$/.test(id)) {
          throw new StoreError(
            `invalid run id ${JSON.stringify(id)}: use letters, digits, '.', '_' and '-'`,
            {
              exitCode: ExitCode.usage,
            },
          );
        }
        if (this.q.runById.get(id)) {
          throw new StoreError(`a run with id ${id} already exists`, {
            exitCode: ExitCode.usage,
            hint: "choose another id, or resume it with --resume",
          });
        }
      } else {
        const prefix = `${info.method.replace(/[^A-Za-z0-9]+/g, "-") || "run"}-${dateStamp(now)}`;
        do id = `${prefix}-${randomBytes(2).toString("hex")}`;
        while (this.q.runById.get(id));
      }
      const run: RunInfo = {
        id,
        name: info.name,
        createdAt: now.toISOString(),
        status: "running",
        seed: info.seed,
        config: redactSecrets(info.config),
        versions: info.versions,
        method: info.method,
      };
      this.q.insertRun.run({
        id: run.id,
        name: run.name,
        created_at: run.createdAt,
        status: run.status,
        seed: run.seed,
        method: run.method,
        config: JSON.stringify(run.config ?? null),
        versions: JSON.stringify(run.versions ?? {}),
      });
      return run;
    });
  }

  /** A run by id or unique id prefix; a clear error listing close matches otherwise. */
  getRun(idOrPrefix: string): RunInfo {
    return this.read("reading a run", () => {
      const exact = this.q.runById.get(idOrPrefix) as RunRow | undefined;
      if (exact) return rowToRun(exact);
      const escaped = idOrPrefix.replace(/[\\%_]/g, (c) => `\\${c}`);
      const matches = this.q.runsByPrefix.all(`${escaped}%`) as RunRow[];
      if (matches.length === 1) return rowToRun(matches[0]!);
      if (matches.length > 1) {
        throw new StoreError(
          `run id prefix ${JSON.stringify(idOrPrefix)} is ambiguous: ${matches.map((m) => m.id).join(", ")}`,
          { exitCode: ExitCode.usage, hint: "give more characters of the run id" },
        );
      }
      const ids = (this.q.runIds.all() as { id: string }[]).map((r) => r.id);
      const near = ids.filter((id) => id.includes(idOrPrefix) || closest(idOrPrefix, [id]) !== undefined);
      const guess = near.length > 0 ? near : ids.slice(0, 5);
      throw new StoreError(`no run ${JSON.stringify(idOrPrefix)} in ${this.file}`, {
        code: "ENORUN",
        exitCode: ExitCode.usage,
        hint:
          ids.length === 0
            ? "this workspace has no runs yet"
            : `${near.length > 0 ? "did you mean" : "runs here include"}: ${guess.slice(0, 5).join(", ")} (see \`curio runs\`)`,
      });
    });
  }

  /** All runs, newest first. */
  listRuns(): RunInfo[] {
    return this.read("listing runs", () => (this.q.allRuns.all() as RunRow[]).map(rowToRun));
  }

  setStatus(runId: string, status: RunStatus): void {
    this.write("updating a run's status", () => {
      if (this.q.setStatus.run(status, runId).changes === 0) throw this.unknownRun(runId);
    });
  }

  /** Blobs go first explicitly: the cascade relies on foreign_keys being on for this connection. */
  private deleteCheckpoint(runId: string, epoch: number): void {
    this.q.deleteBlobsAt.run(runId, epoch);
    this.q.deleteCheckpointRow.run(runId, epoch);
  }

  private unknownRun(runId: string): StoreError {
    return new StoreError(`no run ${JSON.stringify(runId)} in ${this.file}`, {
      code: "ENORUN",
      exitCode: ExitCode.usage,
      hint: "create it with createRun first (see `curio runs`)",
    });
  }

  // ---- samples and epochs -------------------------------------------------------------------

  /** Appends samples in one transaction. Per run, indices must continue densely from sampleCount. */
  appendSamples(samples: SampleRecord[]): void {
    if (samples.length === 0) return;
    this.write("appending samples", () => this.insertSamples(samples));
  }

  private insertSamples(samples: SampleRecord[]): void {
    const byRun = new Map<string, SampleRecord[]>();
    for (const s of samples) {
      const list = byRun.get(s.runId) ?? [];
      list.push(s);
      byRun.set(s.runId, list);
    }
    for (const [runId, list] of byRun) {
      if (!this.q.runById.get(runId)) throw this.unknownRun(runId);
      list.sort((a, b) => a.index - b.index);
      let next = this.countSamples(runId);
      for (const s of list) {
        if (!Number.isInteger(s.index) || s.index !== next) {
          const why =
            Number.isInteger(s.index) && s.index < next
              ? `duplicate sample index ${s.index} (already stored)`
              : `sample index ${s.index} leaves a gap (expected ${next})`;
          throw new StoreError(`run ${runId}: ${why}; sample indices must be 0, 1, 2, ... without gaps`, {
            code: "EINDEX",
          });
        }
        this.q.insertSample.run(sampleToRow(s));
        next++;
      }
    }
  }

  appendEpoch(stats: EpochStats): void {
    this.write("appending epoch stats", () => this.insertEpoch(stats));
  }

  private insertEpoch(stats: EpochStats): void {
    if (!this.q.runById.get(stats.runId)) throw this.unknownRun(stats.runId);
    if (this.q.epochExists.get(stats.runId, stats.epoch)) {
      throw new StoreError(`run ${stats.runId}: stats of epoch ${stats.epoch} are already stored`, {
        code: "EINDEX",
      });
    }
    this.q.insertEpoch.run(stats.runId, stats.epoch, JSON.stringify(stats));
  }

  private countSamples(runId: string): number {
    return (this.q.countSamples.get(runId) as { n: number }).n;
  }

  /** Streams a run's samples in index order, a page at a time (memory stays bounded). */
  *samples(
    runId: string,
    opts: { minEpoch?: number; maxEpoch?: number } = {},
  ): IterableIterator<SampleRecord> {
    const lo = opts.minEpoch ?? Number.MIN_SAFE_INTEGER;
    const hi = opts.maxEpoch ?? Number.MAX_SAFE_INTEGER;
    let after = -1;
    for (;;) {
      const rows = this.read(
        "reading samples",
        () => this.q.samplesPage.all(runId, after, lo, hi, PAGE) as SampleRow[],
      );
      for (const r of rows) yield rowToSample(r);
      if (rows.length < PAGE) return;
      after = rows[rows.length - 1]!.idx;
    }
  }

  sampleCount(runId: string): number {
    return this.read("counting samples", () => this.countSamples(runId));
  }

  /** Counts for listings, computed in SQL: samples, judged ones, successes (judge score >= tau), errors. */
  sampleSummary(
    runId: string,
    tau: number,
  ): { samples: number; scored: number; successes: number; errors: number } {
    return this.read("summarising samples", () => {
      const r = this.q.summary.get(tau, runId) as {
        samples: number;
        scored: number | null;
        successes: number | null;
        errors: number | null;
      };
      return {
        samples: r.samples,
        scored: r.scored ?? 0,
        successes: r.successes ?? 0,
        errors: r.errors ?? 0,
      };
    });
  }

  epochs(runId: string): EpochStats[] {
    return this.read("reading epochs", () =>
      (this.q.epochs.all(runId) as { stats: string }[]).map((r) => epochFromJson(r.stats)),
    );
  }

  // ---- checkpoints --------------------------------------------------------------------------

  /**
   * Atomically stores a checkpoint (and, optionally, the epoch's last samples and stats in the
   * same transaction). Older checkpoints beyond `keep` (default 1) are deleted in it too.
   */
  saveCheckpoint(
    runId: string,
    ckpt: Checkpoint,
    opts: { keep?: number; samples?: SampleRecord[]; epochStats?: EpochStats } = {},
  ): void {
    const keep = Math.max(1, opts.keep ?? 1);
    this.write("saving a checkpoint", () => {
      if (!this.q.runById.get(runId)) throw this.unknownRun(runId);
      if (opts.samples?.length) this.insertSamples(opts.samples);
      if (opts.epochStats) this.insertEpoch(opts.epochStats);
      const stored = this.countSamples(runId);
      if (!Number.isInteger(ckpt.sampleCount) || ckpt.sampleCount < 0 || ckpt.sampleCount > stored) {
        throw new StoreError(
          `run ${runId}: checkpoint claims ${ckpt.sampleCount} samples but ${stored} are stored; append the samples first`,
          { code: "EINDEX" },
        );
      }
      this.deleteCheckpoint(runId, ckpt.epoch);
      this.q.insertCheckpoint.run(
        runId,
        ckpt.epoch,
        ckpt.sampleCount,
        JSON.stringify(ckpt.state ?? null),
        new Date().toISOString(),
      );
      for (const [name, data] of Object.entries(ckpt.blobs)) {
        this.q.insertBlob.run(
          runId,
          ckpt.epoch,
          name,
          Buffer.from(data.buffer, data.byteOffset, data.byteLength),
        );
      }
      const old = this.q.checkpointEpochs.all(runId) as { epoch: number }[];
      for (const { epoch } of old.slice(keep)) this.deleteCheckpoint(runId, epoch);
    });
  }

  latestCheckpoint(runId: string): Checkpoint | null {
    return this.read("reading the latest checkpoint", () =>
      this.db.transaction(() => {
        const row = this.q.latestCheckpoint.get(runId) as
          | { epoch: number; sample_count: number; state: string }
          | undefined;
        if (!row) return null;
        const blobs: Record<string, Uint8Array> = {};
        for (const b of this.q.blobs.iterate(runId, row.epoch) as IterableIterator<{
          name: string;
          data: Buffer;
        }>) {
          blobs[b.name] = new Uint8Array(b.data.buffer, b.data.byteOffset, b.data.byteLength);
        }
        return { epoch: row.epoch, sampleCount: row.sample_count, state: JSON.parse(row.state), blobs };
      })(),
    );
  }

  /** Checkpoint metadata (no blobs), newest first. */
  listCheckpoints(runId: string): { epoch: number; sampleCount: number; createdAt: string; bytes: number }[] {
    return this.read("listing checkpoints", () =>
      (
        this.q.checkpointList.all(runId) as {
          epoch: number;
          sample_count: number;
          created_at: string;
          bytes: number;
        }[]
      ).map((r) => ({
        epoch: r.epoch,
        sampleCount: r.sample_count,
        createdAt: r.created_at,
        bytes: r.bytes,
      })),
    );
  }

  /** For resume: deletes samples with index >= sampleCount, and epoch stats and checkpoints after `epoch`. */
  rollbackTo(runId: string, ckpt: { epoch: number; sampleCount: number }): void {
    this.write("rolling back to a checkpoint", () => {
      if (!this.q.runById.get(runId)) throw this.unknownRun(runId);
      this.q.deleteSamplesFrom.run(runId, ckpt.sampleCount);
      this.q.deleteEpochsAfter.run(runId, ckpt.epoch);
      for (const { epoch } of this.q.checkpointEpochs.all(runId) as { epoch: number }[]) {
        if (epoch > ckpt.epoch) this.deleteCheckpoint(runId, epoch);
      }
    });
  }

  // ---- human marks --------------------------------------------------------------------------

  /** Marks sample `index` of a run as confirmed or a false positive (null clears the mark). */
  setMark(runId: string, index: number, verdict: HumanVerdict | null, note = ""): HumanMark | null {
    if (verdict !== null && !HUMAN_VERDICTS.includes(verdict)) {
      throw new StoreError(`unknown mark ${JSON.stringify(verdict)}: use ${HUMAN_VERDICTS.join(" or ")}`, {
        exitCode: ExitCode.usage,
      });
    }
    if (note.length > MAX_NOTE_CHARS) {
      throw new StoreError(`a mark's note has ${note.length} characters; keep it under ${MAX_NOTE_CHARS}`, {
        exitCode: ExitCode.usage,
      });
    }
    return this.write("saving a mark", () => {
      if (!this.q.runById.get(runId)) throw this.unknownRun(runId);
      const sample = Number.isInteger(index) ? this.markQ.sample(runId, index) : undefined;
      if (!sample) {
        throw new StoreError(`run ${runId} has no sample #${index}`, {
          code: "ENOSAMPLE",
          exitCode: ExitCode.usage,
        });
      }
      if (verdict === null) {
        this.markQ.remove(runId, index);
        return null;
      }
      const mark: HumanMark = {
        runId,
        index,
        verdict,
        note,
        markedAt: new Date().toISOString(),
        fingerprint: markFingerprint(sample.test_case, sample.response),
      };
      this.markQ.upsert(mark);
      return mark;
    });
  }

  /** The human marks of a run, by sample index. */
  marks(runId: string): HumanMark[] {
    return this.read("reading marks", () => this.markQ.list(runId));
  }

  /**
   * Polling helper for live views. The cursor holds the last sample index and epoch already seen
   * (start with -1, -1); at most `limit` samples are returned per call (poll again for more).
   */
  changesSince(
    runId: string,
    cursor: { sampleIndex: number; epoch: number },
    limit = 1000,
  ): { samples: SampleRecord[]; epochs: EpochStats[] } {
    return this.read("polling for changes", () =>
      this.db.transaction(() => ({
        samples: (
          this.q.samplesPage.all(
            runId,
            cursor.sampleIndex,
            Number.MIN_SAFE_INTEGER,
            Number.MAX_SAFE_INTEGER,
            limit,
          ) as SampleRow[]
        ).map(rowToSample),
        epochs: (this.q.epochsAfter.all(runId, cursor.epoch) as { stats: string }[]).map((r) =>
          epochFromJson(r.stats),
        ),
      }))(),
    );
  }
}

function prepareStatements(db: Database.Database) {
  return {
    runById: db.prepare("SELECT * FROM runs WHERE id = ?"),
    runsByPrefix: db.prepare(
      "SELECT * FROM runs WHERE id LIKE ? ESCAPE '\\' ORDER BY created_at DESC LIMIT 20",
    ),
    runIds: db.prepare("SELECT id FROM runs ORDER BY created_at DESC"),
    allRuns: db.prepare("SELECT * FROM runs ORDER BY created_at DESC, id"),
    insertRun: db.prepare(
      `INSERT INTO runs (id, name, created_at, status, seed, method, config, versions)
       VALUES (@id, @name, @created_at, @status, @seed, @method, @config, @versions)`,
    ),
    setStatus: db.prepare("UPDATE runs SET status = ? WHERE id = ?"),
    insertSample: db.prepare(
      `INSERT INTO samples (run_id, idx, epoch, seed_prompt, test_case, target_input, response, judge_score,
         eval_judge_score, rewards, error, timings, meta)
       VALUES (@run_id, @idx, @epoch, @seed_prompt, @test_case, @target_input, @response, @judge_score,
         @eval_judge_score, @rewards, @error, @timings, @meta)`,
    ),
    summary: db.prepare(
      `SELECT count(*) AS samples, sum(judge_score IS NOT NULL) AS scored, sum(judge_score >= ?) AS successes,
         sum(error IS NOT NULL) AS errors FROM samples WHERE run_id = ?`,
    ),
    // Indices are dense (appendSamples enforces it), so the count is max + 1: one index seek.
    countSamples: db.prepare("SELECT coalesce(max(idx) + 1, 0) AS n FROM samples WHERE run_id = ?"),
    samplesPage: db.prepare(
      `SELECT * FROM samples WHERE run_id = ? AND idx > ? AND epoch BETWEEN ? AND ? ORDER BY idx LIMIT ?`,
    ),
    deleteSamplesFrom: db.prepare("DELETE FROM samples WHERE run_id = ? AND idx >= ?"),
    epochExists: db.prepare("SELECT 1 FROM epochs WHERE run_id = ? AND epoch = ?"),
    insertEpoch: db.prepare("INSERT INTO epochs (run_id, epoch, stats) VALUES (?, ?, ?)"),
    epochs: db.prepare("SELECT stats FROM epochs WHERE run_id = ? ORDER BY epoch"),
    epochsAfter: db.prepare("SELECT stats FROM epochs WHERE run_id = ? AND epoch > ? ORDER BY epoch"),
    deleteEpochsAfter: db.prepare("DELETE FROM epochs WHERE run_id = ? AND epoch > ?"),
    insertCheckpoint: db.prepare(
      "INSERT INTO checkpoints (run_id, epoch, sample_count, state, created_at) VALUES (?, ?, ?, ?, ?)",
    ),
    insertBlob: db.prepare("INSERT INTO checkpoint_blobs (run_id, epoch, name, data) VALUES (?, ?, ?, ?)"),
    checkpointEpochs: db.prepare("SELECT epoch FROM checkpoints WHERE run_id = ? ORDER BY epoch DESC"),
    latestCheckpoint: db.prepare(
      "SELECT epoch, sample_count, state FROM checkpoints WHERE run_id = ? ORDER BY epoch DESC LIMIT 1",
    ),
    checkpointList: db.prepare(
      `SELECT c.epoch, c.sample_count, c.created_at,
         (SELECT coalesce(sum(length(b.data)), 0) FROM checkpoint_blobs b
          WHERE b.run_id = c.run_id AND b.epoch = c.epoch) AS bytes
       FROM checkpoints c WHERE c.run_id = ? ORDER BY c.epoch DESC`,
    ),
    blobs: db.prepare("SELECT name, data FROM checkpoint_blobs WHERE run_id = ? AND epoch = ? ORDER BY name"),
    deleteBlobsAt: db.prepare("DELETE FROM checkpoint_blobs WHERE run_id = ? AND epoch = ?"),
    deleteCheckpointRow: db.prepare("DELETE FROM checkpoints WHERE run_id = ? AND epoch = ?"),
  };
}
