// Who holds a run: one writer per run at a time. A lock row names the holder's process (pid, host and
// the process's start time, so a reused pid is not mistaken for the holder) and a token unique to one
// RunStore, so two stores in one process also exclude each other. A lock whose process is gone is stale.
import { randomBytes } from "node:crypto";
import { readFileSync } from "node:fs";
import { hostname } from "node:os";
import { ExitCode } from "../util/errors.js";
import { StoreError } from "./errors.js";
import type { LockStatements } from "./statements.js";
import type { RunInfo } from "./types.js";

export interface LockHolder {
  token: string;
  pid: number;
  host: string;
  /** When the holder's process started (ISO time), to tell a reused pid from the holder. */
  processStartedAt: string;
  acquiredAt: string;
}

export function newLockToken(): string {
  return randomBytes(8).toString("hex");
}

/** This process as a lock holder with `token`. */
export function thisHolder(token: string): LockHolder {
  return {
    token,
    pid: process.pid,
    host: hostname(),
    processStartedAt: new Date(performance.timeOrigin).toISOString(),
    acquiredAt: new Date().toISOString(),
  };
}

/** Linux only: a process's start time (ms since the epoch) and whether it is a zombie, from /proc. */
function procStart(pid: number): { startedMs: number; zombie: boolean } | undefined {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
    // The command name (field 2) is in parentheses and may contain spaces: fields start after the last ")".
    const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
    const state = fields[0];
    const startTicks = Number(fields[19]); // field 22 of the whole line
    const btime = /^btime (\d+)$/m.exec(readFileSync("/proc/stat", "utf8"))?.[1];
    if (!btime || !Number.isFinite(startTicks)) return undefined;
    // USER_HZ is 100 on every Linux architecture Node runs on.
    return { startedMs: Number(btime) * 1000 + startTicks * 10, zombie: state === "Z" || state === "X" };
  } catch {
    return undefined;
  }
}

/** How far a process's start time may be from the one its lock recorded (clock granularity, start-up). */
const START_TOLERANCE_MS = 5000;

/**
 * Whether the holder's process still runs: "yes", "no", or "unknown" for a process on another host
 * (its pid means nothing here), which is treated as alive.
 */
export function holderAlive(h: LockHolder): "yes" | "no" | "unknown" {
  if (h.host !== hostname()) return "unknown";
  if (h.pid === process.pid) {
    return Math.abs(Date.parse(h.processStartedAt) - performance.timeOrigin) < START_TOLERANCE_MS
      ? "yes"
      : "no";
  }
  try {
    process.kill(h.pid, 0);
  } catch (e) {
    // EPERM: the process exists but belongs to another user.
    if ((e as NodeJS.ErrnoException).code !== "EPERM") return "no";
  }
  const proc = procStart(h.pid);
  if (!proc) return "yes";
  if (proc.zombie) return "no";
  return Math.abs(proc.startedMs - Date.parse(h.processStartedAt)) < START_TOLERANCE_MS ? "yes" : "no";
}

export function describeHolder(h: LockHolder): string {
  return `pid ${h.pid} on ${h.host} (since ${h.acquiredAt.slice(0, 19).replace("T", " ")})`;
}

interface LockRow {
  run_id: string;
  token: string;
  pid: number;
  host: string;
  process_started_at: string;
  acquired_at: string;
}

function holderOf(r: LockRow): LockHolder {
  return {
    token: r.token,
    pid: r.pid,
    host: r.host,
    processStartedAt: r.process_started_at,
    acquiredAt: r.acquired_at,
  };
}

/**
 * One RunStore's locks. Every write to a run takes the run's lock (atomically: inside the write's
 * transaction) unless this store holds it already; a live holder elsewhere makes the write fail, a dead
 * holder's lock is taken over with a note. Without a run_locks table (an older store read as is) nothing
 * is locked.
 */
export class RunLocks {
  private readonly token = newLockToken();
  private readonly held = new Set<string>();

  constructor(
    private readonly q: LockStatements | null,
    private readonly log: (message: string) => void,
  ) {}

  /** Call inside a write transaction: makes this store the run's writer, or throws naming the live one. */
  ensure(runId: string): void {
    if (!this.q) return;
    const row = this.q.get.get(runId) as LockRow | undefined;
    if (row?.token === this.token) return;
    if (row) {
      const holder = holderOf(row);
      if (holderAlive(holder) !== "no") {
        throw new StoreError(`run ${runId} is in use by another curio process: ${describeHolder(holder)}`, {
          code: "ELOCKED",
          exitCode: ExitCode.usage,
          hint:
            holder.host === hostname()
              ? `wait for it to finish, or stop it (kill ${holder.pid}); the run stays resumable`
              : `wait for it to finish on ${holder.host}; a lock is taken over only when its process is known to be gone`,
        });
      }
      this.log(
        `note: run ${runId} was left locked by ${describeHolder(holder)}, which no longer runs; taking it over`,
      );
    }
    this.q.put.run({ runId, ...thisHolder(this.token) });
    this.held.add(runId);
  }

  release(runId: string): void {
    if (!this.q || !this.held.has(runId)) return;
    this.q.release.run(runId, this.token);
    this.held.delete(runId);
  }

  /** Releases every lock of this store (on close); a lock that cannot be released is stale once we exit. */
  releaseAll(): void {
    if (!this.q || this.held.size === 0) return;
    try {
      this.q.releaseAll.run(this.token);
    } catch {
      /* the database failed; the lock dies with this process */
    }
    this.held.clear();
  }

  holder(runId: string): LockHolder | null {
    const row = this.q?.get.get(runId) as LockRow | undefined;
    const holder = row ? holderOf(row) : null;
    return holder && holderAlive(holder) !== "no" ? holder : null;
  }

  /** Lock rows by run id (all runs, or one). */
  rows(runId?: string): Map<string, LockRow> {
    if (!this.q) return new Map();
    const rows = (runId === undefined ? this.q.all.all() : [this.q.get.get(runId)]) as (
      | LockRow
      | undefined
    )[];
    return new Map(rows.filter((r): r is LockRow => r !== undefined).map((r) => [r.run_id, r]));
  }

  /** A stored "running" status holds only while a live process holds the run's lock. */
  liveStatus(run: RunInfo, rows: Map<string, LockRow>): RunInfo {
    if (run.status !== "running") return run;
    const row = rows.get(run.id);
    if (row && (row.token === this.token || holderAlive(holderOf(row)) !== "no")) return run;
    return { ...run, status: "interrupted" };
  }
}
