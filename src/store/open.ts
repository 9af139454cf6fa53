// Opening curio.db: for writing (creating the workspace, WAL journal, migrations) or for reading only,
// which also works on read-only media, and the checks that say plainly why a workspace cannot be written.
import {
  accessSync,
  constants,
  copyFileSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  rmSync,
  statSync,
} from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import Database from "better-sqlite3";
import { ExitCode } from "../util/errors.js";
import { StoreError } from "./errors.js";
import { migrate, OLDEST_READABLE_VERSION, SCHEMA_VERSION, schemaVersion } from "./migrations.js";

export const STORE_FILE = "curio.db";

export interface OpenedDatabase {
  db: Database.Database;
  /** Removes what opening left behind (the temporary copy of a store on read-only media). */
  cleanup(): void;
}

function errno(e: unknown): string {
  return String((e as NodeJS.ErrnoException)?.code ?? "");
}

/** A workspace that is a file, or a curio.db that is a folder, is the user's mistake: say so (exit code 2). */
export function misplacedStore(dir: string, file: string): StoreError | undefined {
  if (existsSync(dir) && !statSync(dir).isDirectory()) {
    return new StoreError(`the workspace ${dir} is a file, not a folder`, {
      code: "ENOTDIR",
      exitCode: ExitCode.usage,
      hint: "point --workspace (or workspace: in curio.yaml) to the folder that holds curio.db",
    });
  }
  if (existsSync(file) && statSync(file).isDirectory()) {
    return new StoreError(`${file} is a folder, not a curio store`, {
      code: "EISDIR",
      exitCode: ExitCode.usage,
      hint: "move it away; curio creates curio.db itself",
    });
  }
  return undefined;
}

/** The nearest folder of `path` (or above it) that exists. */
function nearestExisting(path: string): string {
  let p = path;
  while (!existsSync(p) && dirname(p) !== p) p = dirname(p);
  return p;
}

/**
 * Why curio cannot write the store `file` in workspace `dir`, or undefined when it can. Checked before
 * creating anything, because mkdir on a read-only file system reports a misleading ENOENT.
 */
export function unwritableWorkspace(dir: string, file: string): StoreError | undefined {
  const hint =
    "set `workspace:` in curio.yaml (or --workspace) to a writable folder; commands that only read " +
    "(runs, eval, report, export, view) work on read-only media";
  const existing = nearestExisting(dir);
  if (!statSync(existing).isDirectory()) {
    return new StoreError(`cannot use ${dir} as the workspace: ${existing} is a file, not a folder`, {
      code: "ENOTDIR",
      exitCode: ExitCode.usage,
      hint,
    });
  }
  for (const path of existsSync(file) ? [existing, file] : [existing]) {
    try {
      accessSync(path, constants.W_OK);
    } catch (e) {
      const code = errno(e);
      const why = code === "EROFS" ? "is on a read-only file system" : "is read-only for this user";
      const what =
        path === file
          ? `the run store is not writable: ${file} ${why}`
          : path === dir
            ? `the workspace is not writable: ${dir} ${why}`
            : `cannot create the workspace ${dir}: ${path} ${why}`;
      return new StoreError(`${what} (${code})`, {
        code,
        exitCode: ExitCode.usage,
        hint,
        cause: e,
      });
    }
  }
  return undefined;
}

export function openForWriting(
  dir: string,
  file: string,
  opts: { synchronous?: "NORMAL" | "FULL"; maxSizeBytes?: number },
): OpenedDatabase {
  const problem = misplacedStore(dir, file) ?? unwritableWorkspace(dir, file);
  if (problem) throw problem;
  mkdirSync(dir, { recursive: true });
  const db = new Database(file);
  try {
    db.pragma("busy_timeout = 5000");
    db.pragma("journal_mode = WAL");
    db.pragma(`synchronous = ${opts.synchronous ?? "NORMAL"}`);
    // Truncate the WAL after checkpointing big blobs instead of keeping it at its peak size.
    db.pragma("journal_size_limit = 67108864");
    db.pragma("foreign_keys = ON");
    if (opts.maxSizeBytes !== undefined) {
      const pageSize = db.pragma("page_size", { simple: true }) as number;
      db.pragma(`max_page_count = ${Math.max(1, Math.floor(opts.maxSizeBytes / pageSize))}`);
    }
    const version = checkVersion(db, file, false);
    if (version < SCHEMA_VERSION) migrate(db, version);
  } catch (e) {
    db.close();
    throw e;
  }
  return { db, cleanup: () => {} };
}

/**
 * Opens read-only. A WAL database needs its -shm file, which SQLite cannot create in a read-only folder:
 * there the store is read from a temporary copy (with its WAL, so the latest commits are included).
 */
export function openForReading(file: string, log?: (message: string) => void): OpenedDatabase {
  const misplaced = misplacedStore(dirname(file), file);
  if (misplaced) throw misplaced;
  if (!existsSync(file)) {
    throw new StoreError(`no curio store in ${dirname(file)} (${STORE_FILE} not found)`, {
      code: "ENOENT",
      exitCode: ExitCode.usage,
      hint: "start a run with `curio run -c curio.yaml`, or point to the workspace that holds your runs",
    });
  }
  try {
    return { db: readOnlyConnection(file), cleanup: () => {} };
  } catch (e) {
    const code = errno(e);
    if (!code.startsWith("SQLITE_READONLY") && !code.startsWith("SQLITE_CANTOPEN")) throw e;
  }
  const copyDir = mkdtempSync(join(tmpdir(), "curio-readonly-"));
  const cleanup = () => rmSync(copyDir, { recursive: true, force: true });
  try {
    const copy = join(copyDir, STORE_FILE);
    copyFileSync(file, copy);
    if (existsSync(`${file}-wal`)) copyFileSync(`${file}-wal`, `${copy}-wal`);
    log?.(`note: ${dirname(file)} is read-only; reading a temporary copy of ${STORE_FILE}`);
    return { db: readOnlyConnection(copy), cleanup };
  } catch (e) {
    cleanup();
    throw e;
  }
}

function readOnlyConnection(file: string): Database.Database {
  const db = new Database(file, { readonly: true, fileMustExist: true });
  try {
    db.pragma("busy_timeout = 5000");
    db.pragma("foreign_keys = ON");
    checkVersion(db, file, true); // the first read: where a missing -shm file shows
    return db;
  } catch (e) {
    db.close();
    throw e;
  }
}

/** The store's schema version, refusing foreign, empty (when reading), newer and unreadable ones. */
function checkVersion(db: Database.Database, file: string, readonly: boolean): number {
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
    if (readonly) {
      throw new StoreError(`${file} is empty: no run has been recorded in it`, {
        code: "ENORUN",
        exitCode: ExitCode.usage,
        hint: "start a run with `curio run -c curio.yaml` (it sets the store up), or point to the workspace that holds your runs",
      });
    }
  }
  if (version > SCHEMA_VERSION) {
    throw new StoreError(
      `${file} was written by a newer curio (store schema v${version}; this curio reads up to v${SCHEMA_VERSION})`,
      { exitCode: ExitCode.usage, hint: "upgrade curio (npm i curio-redteam@latest)" },
    );
  }
  if (readonly && version < OLDEST_READABLE_VERSION) {
    throw new StoreError(`${file} has store schema v${version}, too old to read without upgrading it`, {
      exitCode: ExitCode.usage,
      hint: "a command that writes the store upgrades it: `curio run -c curio.yaml --resume RUN`",
    });
  }
  return version;
}
