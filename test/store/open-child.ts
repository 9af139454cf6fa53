// Child process for the read-only workspace test: tries to open a workspace and create a run,
// and prints the outcome as JSON. Usage: node --import tsx test/store/open-child.ts WORKSPACE
import { RunStore, StoreError } from "../../src/store/index.js";
import { runInput } from "./helpers.js";

try {
  const store = RunStore.open(process.argv[2]!);
  store.createRun(runInput);
  store.close();
  console.log(JSON.stringify({ ok: true }));
} catch (e) {
  const err = e as StoreError;
  console.log(
    JSON.stringify({
      ok: false,
      store: e instanceof StoreError,
      message: err.message,
      hint: err.hint,
      exitCode: err.exitCode,
    }),
  );
}
