// Runs several curio commands in one child process (one compile instead of one per command), for tests
// that need another user or environment. Prints one JSON line: [{ code, stdout, stderr, page? }].
// `view` commands are opened once: the page at the printed URL is fetched, then the viewer is stopped.
// Usage: node --import tsx test/cli/commands-child.ts '[["runs", "--json"], ...]'
import { main } from "../../src/cli/main.js";

interface Outcome {
  code: number;
  stdout: string;
  stderr: string;
  page?: { status: number; body: string };
}

async function runOne(args: string[]): Promise<Outcome> {
  let stdout = "";
  let stderr = "";
  const realOut = process.stdout.write.bind(process.stdout);
  const realErr = process.stderr.write.bind(process.stderr);
  process.stdout.write = ((chunk: string | Uint8Array) => {
    stdout += String(chunk);
    return true;
  }) as typeof process.stdout.write;
  process.stderr.write = ((chunk: string | Uint8Array) => {
    stderr += String(chunk);
    return true;
  }) as typeof process.stderr.write;
  const io = {
    out: (t: string) => {
      stdout += t;
    },
    err: (t: string) => {
      stderr += t;
    },
  };
  let page: Outcome["page"];
  try {
    const running = main(["node", "curio", ...args], io);
    if (args[0] === "view") {
      for (let i = 0; i < 200 && !/curio view: http/.test(stdout); i++) {
        if (await Promise.race([running.then(() => true), new Promise((r) => setTimeout(r, 50, false))]))
          break;
      }
      const url = /curio view: (http:\S+)/.exec(stdout)?.[1];
      if (url) {
        const res = await fetch(url);
        page = { status: res.status, body: await res.text() };
        process.emit("SIGTERM");
      }
    }
    const code = await running;
    return { code, stdout, stderr, page };
  } finally {
    process.stdout.write = realOut;
    process.stderr.write = realErr;
  }
}

const commands = JSON.parse(process.argv[2]!) as string[][];
const outcomes: Outcome[] = [];
for (const args of commands) outcomes.push(await runOne(args));
process.stdout.write(`${JSON.stringify(outcomes)}\n`);
