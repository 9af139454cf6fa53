// `curio runs`: the runs of a workspace with their status and counts.
import { existsSync } from "node:fs";
import { join, resolve } from "node:path";
import { Command } from "commander";
import { misplacedStore } from "../../store/open.js";
import { RunStore, STORE_FILE } from "../../store/run-store.js";
import { probability } from "../args.js";
import { type Io, makeOutput, processIo, table } from "../output.js";
import { resolveWorkspace } from "../workspace.js";

export function runsCommand(io: Io = processIo): Command {
  return new Command("runs")
    .description("list the runs in the workspace")
    .option("-c, --config <file>", "take the workspace from this config (default: ./curio.yaml if present)")
    .option("--workspace <dir>", "folder holding the run store (curio.db)")
    .option("--tau <t>", "success threshold for the counts", probability, 0.5)
    .option("--json", "print JSON")
    .action((o: { config?: string; workspace?: string; tau: number; json?: boolean }, cmd: Command) => {
      const out = makeOutput(cmd, o, io);
      const workspace = resolveWorkspace(o);
      const misplaced = misplacedStore(resolve(workspace), join(resolve(workspace), STORE_FILE));
      if (misplaced) throw misplaced;
      if (!existsSync(join(workspace, STORE_FILE))) {
        if (out.json) out.record([]);
        out.line(`no runs in ${workspace} yet (start one with \`curio run\`)`);
        return;
      }
      const store = RunStore.open(workspace, { readonly: true });
      try {
        const runs = store.listRuns().map((r) => {
          const counts = store.sampleSummary(r.id, o.tau);
          const ck = store.listCheckpoints(r.id)[0];
          const epochs = store.epochs(r.id).length;
          return { ...r, config: undefined, ...counts, epochs, checkpointEpoch: ck?.epoch ?? null };
        });
        if (out.json) {
          out.record(runs.map(({ config: _c, ...r }) => ({ ...r, tau: o.tau })));
          return;
        }
        if (runs.length === 0) {
          out.line(`no runs in ${workspace} yet (start one with \`curio run\`)`);
          return;
        }
        out.line(
          table(
            [
              "id",
              "name",
              "method",
              "status",
              "created",
              "epochs",
              "samples",
              `hits>=${o.tau}`,
              "errors",
              "held-out judge errors",
            ],
            runs.map((r) => [
              r.id,
              r.name,
              r.method,
              r.status,
              r.createdAt.slice(0, 16).replace("T", " "),
              String(r.epochs),
              String(r.samples),
              String(r.successes),
              String(r.errors),
              String(r.evalJudgeErrors),
            ]),
          ),
        );
      } finally {
        store.close();
      }
    });
}
