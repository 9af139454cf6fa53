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
import { join, resolve } from "node:path";
import type Database from "better-sqlite3";
import { closest } from "../config/format-issues.js";
import { ExitCode } from "../util/errors.js";
import { StoreError, storeFailure } from "./errors.js";
import { HUMAN_VERDICTS, MAX_NOTE_CHARS, markFingerprint, markQueries } from "./marks.js";
import { type OpenedDatabase, openForReading, openForWriting, STORE_FILE } from "./open.js";
import { redactSecrets } from "./redact.js";
import { epochFromJson, type RunRow, rowToRun, rowToSample, type SampleRow, sampleToRow } from "./rows.js";
import { type LockHolder, RunLocks } from "./run-lock.js";
import { prepareLockStatements, prepareStatements, type Statements } from "./statements.js";
import type { EpochStats, HumanMark, HumanVerdict, RunInfo, RunStatus, SampleRecord } from "./types.js";

export { STORE_FILE };

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
  /** Notes for the user: a stale run lock taken over, a read-only store read from a copy. */
  log?: (message: string) => void;
}

const PAGE = 256; // rows per page when streaming samples

function dateStamp(d: Date): string {
  return d.toISOString().slice(0, 10).replaceAll("-", "");
}

/**
 * Concurrency: one writer per run. Every write to a run takes the run's lock (atomically, inside the
 * write's transaction) unless this store holds it already; a live holder elsewhere makes the write fail,
 * a dead holder's lock is taken over with a note. A run ends its lock when it reaches a final status
 * or the store is closed. A "running" run whose holder is gone reads as "interrupted".
 */
export class RunStore {
  readonly file: string;
  readonly readonly: boolean;
  private readonly db: Database.Database;
  private readonly q: Statements;
  private readonly locks: RunLocks;
  private readonly markQ: ReturnType<typeof markQueries>;

  private constructor(
    opened: OpenedDatabase,
    file: string,
    readonly: boolean,
    private readonly log: (message: string) => void,
  ) {
    this.db = opened.db;
    this.cleanup = opened.cleanup;
    this.file = file;
    this.readonly = readonly;
    this.q = prepareStatements(this.db);
    this.locks = new RunLocks(prepareLockStatements(this.db), log);
    this.markQ = markQueries(this.db);
  }
  private readonly cleanup: () => void;

  /** Opens (creating if needed) <workspace>/curio.db; read-only mode never writes, on any media. */
  static open(workspace: string, opts: OpenOptions = {}): RunStore {
    const dir = resolve(workspace);
    const file = join(dir, STORE_FILE);
    const readonly = opts.readonly ?? false;
    let opened: OpenedDatabase | undefined;
    try {
      opened = readonly ? openForReading(file, opts.log) : openForWriting(dir, file, opts);
      return new RunStore(opened, file, readonly, opts.log ?? (() => {}));
    } catch (e) {
      opened?.db.close();
      opened?.cleanup();
      throw storeFailure(e, "opening the run store", file);
    }
  }

  /** Closes the database, releasing the run locks this store holds. */
  close(): void {
    if (!this.db.open) return;
    this.locks.releaseAll();
    this.db.close();
    this.cleanup();
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

  /**
   * Makes this store the run's only writer, as any write to the run does; throws (exit code 2) while a
   * live process holds it. For resume: call before reading the checkpoint to continue from.
   */
  lockRun(runId: string): void {
    this.write("locking a run", () => {
      if (!this.q.runById.get(runId)) throw this.unknownRun(runId);
      this.locks.ensure(runId);
    });
  }

  /** The process writing the run, when one holds its lock and still runs (or runs on another host). */
  runHolder(runId: string): LockHolder | null {
    return this.read("reading a run lock", () => this.locks.holder(runId));
  }

  /** Creates a run and makes this store its writer. */
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
        probe: info.probe ?? null,
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
        probe: run.probe ? JSON.stringify(redactSecrets(run.probe)) : null,
      });
      this.locks.ensure(run.id);
      return run;
    });
  }

  /** A run by id or unique id prefix; a clear error listing close matches otherwise. */
  getRun(idOrPrefix: string): RunInfo {
    return this.read("reading a run", () => {
      const exact = this.q.runById.get(idOrPrefix) as RunRow | undefined;
      if (exact) return this.locks.liveStatus(rowToRun(exact), this.locks.rows(exact.id));
      const escaped = idOrPrefix.replace(/[\\%_]/g, (c) => `\\${c}`);
      const matches = this.q.runsByPrefix.all(`${escaped}%`) as RunRow[];
      if (matches.length === 1)
        return this.locks.liveStatus(rowToRun(matches[0]!), this.locks.rows(matches[0]!.id));
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
    return this.read("listing runs", () => {
      const locks = this.locks.rows();
      return (this.q.allRuns.all() as RunRow[]).map((r) => this.locks.liveStatus(rowToRun(r), locks));
    });
  }

  /** Sets the status; "running" takes the run's lock, a final status (completed, failed, interrupted) ends it. */
  setStatus(runId: string, status: RunStatus): void {
    this.write("updating a run's status", () => {
      if (!this.q.runById.get(runId)) throw this.unknownRun(runId);
      this.locks.ensure(runId);
      this.q.setStatus.run(status, runId);
      if (status !== "running") this.locks.release(runId);
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
      this.locks.ensure(runId);
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
    this.locks.ensure(stats.runId);
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

  /**
   * Counts for listings, computed in SQL: samples, judged ones, successes (judge score >= tau), errors
   * (target or training judge failed), and answered samples the held-out judge failed on.
   */
  sampleSummary(
    runId: string,
    tau: number,
  ): { samples: number; scored: number; successes: number; errors: number; evalJudgeErrors: number } {
    return this.read("summarising samples", () => {
      const r = this.q.summary.get(tau, runId) as {
        samples: number;
        scored: number | null;
        successes: number | null;
        errors: number | null;
        eval_judge_errors: number | null;
      };
      return {
        samples: r.samples,
        scored: r.scored ?? 0,
        successes: r.successes ?? 0,
        errors: r.errors ?? 0,
        evalJudgeErrors: r.eval_judge_errors ?? 0,
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
      this.locks.ensure(runId);
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
      this.locks.ensure(runId);
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
