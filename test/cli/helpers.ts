// The CLI as tests run it: in-process through main() (curio), or as a child process the way a user runs
// the binary (spawnCurio, startCurio: to completion, or started and watched for signals and concurrency).
import { type ChildProcess, spawn } from "node:child_process";
import { join } from "node:path";
import { main } from "../../src/cli/main.js";

export const ROOT = new URL("../..", import.meta.url).pathname;
export const CLI = join(ROOT, "src/cli/main.ts");
// The child may run in a temporary folder, so tsx is named by path rather than resolved from cwd.
export const TSX = new URL("node_modules/tsx/dist/loader.mjs", new URL("../..", import.meta.url)).href;
/** Root can write anywhere, so read-only tests run their children as this user when the tests run as root. */
export const NOBODY = 65534;

export interface CurioOptions {
  cwd?: string;
  env?: Record<string, string | undefined>;
  /** Run as this user and group (tests running as root). */
  uid?: number;
}

export interface Finished {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
}

export interface Started {
  child: ChildProcess;
  stdout(): string;
  stderr(): string;
  /** Resolves once stdout or stderr matches `re` (or the predicate holds). */
  waitFor(re: RegExp | ((stdout: string, stderr: string) => boolean), timeoutMs?: number): Promise<void>;
  done: Promise<Finished>;
}

export function startCurio(args: string[], opts: CurioOptions = {}): Started {
  return startScript(CLI, args, opts);
}

/** A TypeScript file run by node with tsx, watched. */
function startScript(script: string, args: string[], opts: CurioOptions): Started {
  const child = spawn(process.execPath, ["--import", TSX, script, ...args], {
    cwd: opts.cwd ?? ROOT,
    env: { ...process.env, NO_COLOR: "1", ...opts.env },
    stdio: ["ignore", "pipe", "pipe"],
    ...(opts.uid !== undefined ? { uid: opts.uid, gid: opts.uid } : {}),
  });
  let stdout = "";
  let stderr = "";
  const watchers: (() => void)[] = [];
  const onData = () => {
    for (const w of [...watchers]) w();
  };
  child.stdout!.on("data", (d: Buffer) => {
    stdout += d;
    onData();
  });
  child.stderr!.on("data", (d: Buffer) => {
    stderr += d;
    onData();
  });
  const done = new Promise<Finished>((resolve) =>
    child.on("close", (code, signal) => resolve({ code, signal, stdout, stderr })),
  );
  const waitFor = (re: RegExp | ((stdout: string, stderr: string) => boolean), timeoutMs = 120_000) =>
    new Promise<void>((resolve, reject) => {
      const timer = setTimeout(
        () => reject(new Error(`no ${re} within ${timeoutMs} ms:\n${stdout}\n${stderr}`)),
        timeoutMs,
      );
      const check = () => {
        const ok = typeof re === "function" ? re(stdout, stderr) : re.test(stdout) || re.test(stderr);
        if (!ok) return;
        clearTimeout(timer);
        watchers.splice(watchers.indexOf(check), 1);
        resolve();
      };
      watchers.push(check);
      void done.then(() => {
        if (watchers.includes(check)) {
          clearTimeout(timer);
          reject(new Error(`curio exited before ${re}:\n${stdout}\n${stderr}`));
        }
      });
      check();
    });
  return { child, stdout: () => stdout, stderr: () => stderr, waitFor, done };
}

/** Runs `curio ARGS` as a child process to the end. */
export function spawnCurio(args: string[], opts: CurioOptions = {}): Promise<Finished> {
  return startCurio(args, opts).done;
}

export interface CommandOutcome {
  code: number;
  stdout: string;
  stderr: string;
  /** For `view`: the page at the URL it printed. */
  page?: { status: number; body: string };
}

/** Runs several `curio` commands one after another in one child process (see commands-child.ts). */
export async function curioCommands(
  commands: string[][],
  opts: CurioOptions = {},
): Promise<CommandOutcome[]> {
  const { code, stdout, stderr } = await startScript(
    join(ROOT, "test/cli/commands-child.ts"),
    [JSON.stringify(commands)],
    opts,
  ).done;
  const last = stdout.trim().split("\n").at(-1) ?? "";
  if (code !== 0 || !last.startsWith("["))
    throw new Error(`commands child failed (${code}):\n${stderr}\n${stdout}`);
  return JSON.parse(last) as CommandOutcome[];
}

/** Runs the CLI in-process through main(), capturing its output and exit code. */
export async function curio(args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  let stdout = "";
  let stderr = "";
  const code = await main(["node", "curio", ...args], {
    out: (t) => {
      stdout += t;
    },
    err: (t) => {
      stderr += t;
    },
  });
  return { code, stdout, stderr };
}
