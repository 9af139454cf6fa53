// Child process for the run-lock tests: takes the lock of a run and holds it until killed.
// Usage: node --import tsx test/store/lock-child.ts WORKSPACE RUN
import { RunStore } from "../../src/store/index.js";

const store = RunStore.open(process.argv[2]!);
store.lockRun(process.argv[3]!);
process.stdout.write(`locked ${process.pid}\n`);
setInterval(() => {}, 60_000);
