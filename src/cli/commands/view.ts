// `curio view`: the local web UI over the run store (live training curves, findings search).
import { Command, InvalidArgumentError } from "commander";
import { startViewServer } from "../../report/view.js";
import { RunStore } from "../../store/index.js";
import { trapStopSignals } from "../signals.js";
import { resolveWorkspace } from "../workspace.js";

function port(v: string): number {
  const n = Number(v);
  if (!Number.isInteger(n) || n < 0 || n > 65535)
    throw new InvalidArgumentError(`must be a port 0-65535, got "${v}"`);
  return n;
}

export function viewCommand(): Command {
  const cmd = new Command("view")
    .description("browse runs in a local web UI; charts update live while a run trains")
    .option("--port <n>", "port to listen on (0 = any free port)", port, 7777)
    .option(
      "--host <addr>",
      "interface to bind; anything but loopback exposes your findings to the network",
      "127.0.0.1",
    )
    .option(
      "--allow-host <name>",
      "a name other machines use to reach this one (e.g. its DNS name); requests naming any other host are refused (repeatable)",
      (v: string, acc: string[]) => [...acc, ...v.split(",").filter(Boolean)],
      [] as string[],
    )
    .option("-c, --config <file>", "take the workspace from this config (default: ./curio.yaml if present)")
    .option(
      "--workspace <dir>",
      "folder holding the run store (curio.db); default: the config's, else .curio",
    )
    .option("--no-marks", "do not let the viewer mark findings confirmed or false positive")
    .action(async (o) => {
      const workspace = resolveWorkspace(o);
      const store = RunStore.open(workspace, { readonly: true });
      // Marks are the viewer's only writes: the store is opened for writing on the first one.
      let writer: RunStore | null = null;
      const marks = {
        setMark: (...args: Parameters<RunStore["setMark"]>) => {
          writer ??= RunStore.open(workspace);
          return writer.setMark(...args);
        },
      };
      const server = await startViewServer({
        store,
        marks: o.marks ? marks : undefined,
        host: o.host,
        port: o.port,
        // Only an explicit --host may leave loopback.
        allowPublic: cmd.getOptionValueSource("host") === "cli",
        allowHosts: o.allowHost,
        onWarn: (m) => process.stderr.write(`warning: ${m}\n`),
      }).catch((e) => {
        store.close();
        throw e;
      });
      process.stdout.write(`curio view: ${server.url} (Ctrl-C to stop)\n`);
      await new Promise<void>((resolve) => {
        const untrap = trapStopSignals(() => {
          void server.close().then(() => {
            untrap();
            store.close();
            writer?.close();
            resolve();
          });
        });
      });
    });
  return cmd;
}
