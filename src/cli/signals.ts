// Stop signals: Ctrl-C (SIGINT), SIGTERM (process managers, `kill`, container stops) and SIGHUP (the
// terminal closed) all stop a command the same way: cleanly after the current step. A second one exits
// at once. Exit codes follow the shell's 128 + signal number: 130, 143, 129.

export const STOP_SIGNALS = ["SIGINT", "SIGTERM", "SIGHUP"] as const;
export type StopSignal = (typeof STOP_SIGNALS)[number];

const NUMBER: Record<StopSignal, number> = { SIGINT: 2, SIGTERM: 15, SIGHUP: 1 };

export function signalExitCode(signal: StopSignal): number {
  return 128 + NUMBER[signal];
}

/**
 * Calls `stop` on the first stop signal; a second one ends the process at once (with the code of the
 * signal). Returns the function that removes the handlers.
 */
export function trapStopSignals(stop: (signal: StopSignal) => void): () => void {
  let received = 0;
  const handlers = STOP_SIGNALS.map((signal) => {
    const handler = () => {
      received++;
      if (received > 1) process.exit(signalExitCode(signal));
      stop(signal);
    };
    process.on(signal, handler);
    return [signal, handler] as const;
  });
  return () => {
    for (const [signal, handler] of handlers) process.off(signal, handler);
  };
}
