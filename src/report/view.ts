// `curio view`: a local web UI over the run store (node:http, no framework). Run list, a run page whose
// charts update live while the run trains (server-sent events fed by polling store.changesSince), and a
// searchable findings table. Loopback only unless the caller explicitly allows a public address.
import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { CurioError, ExitCode } from "../config/errors.js";
import type { RunInfo } from "../store/types.js";
import { escapeHtml } from "./escape.js";
import { defaultJudge, type JudgeChoice } from "./exports.js";
import type { ReportStore } from "./store-like.js";
import { REPORT_CSS } from "./style.js";
import { LIVE_JS } from "./view-client.js";
import { hostGuard, isLoopback } from "./view-host.js";
import { type MarkWriter, newMarkToken, postMark } from "./view-marks.js";
import { chartsFragment, page, runPage, runsPage } from "./view-pages.js";

export { isLoopback };

export interface ViewServerOptions {
  store: ReportStore;
  /** Interface to bind (default 127.0.0.1). A non-loopback address needs allowPublic. */
  host?: string;
  /** Port (default 7777); 0 picks a free one. */
  port?: number;
  /** Set when the user asked for a non-loopback host explicitly (the CLI's --host). */
  allowPublic?: boolean;
  /**
   * Names (or addresses) requests may be addressed to besides loopback names and this machine's own
   * addresses, e.g. the machine's DNS name when other machines connect (the CLI's --allow-host).
   */
  allowHosts?: readonly string[];
  /** How often the event stream polls the store (default 1000 ms). */
  pollMs?: number;
  /** An event stream is closed after this long; the browser reconnects where it left off (default 5 min). */
  streamMaxMs?: number;
  /** Default success threshold of the findings table (default 0.5). */
  tau?: number;
  /** Receives warnings (e.g. "listening on all interfaces"); the CLI prints them. */
  onWarn?: (message: string) => void;
  /** Where human marks go; without it the findings table shows marks but cannot set them. */
  marks?: MarkWriter;
}

export interface ViewServer {
  url: string;
  host: string;
  port: number;
  close(): Promise<void>;
}

const CSP =
  "default-src 'none'; script-src 'self'; style-src 'self'; connect-src 'self'; img-src 'self' data:; " +
  "base-uri 'none'; form-action 'self'; frame-ancestors 'none'";

function send(res: ServerResponse, status: number, type: string, body: string): void {
  res.writeHead(status, {
    "content-type": `${type}; charset=utf-8`,
    "content-security-policy": CSP,
    "x-content-type-options": "nosniff",
    "referrer-policy": "no-referrer",
    "x-frame-options": "DENY",
    "cache-control": "no-store",
  });
  res.end(body);
}

function errorPage(res: ServerResponse, status: number, message: string): void {
  send(
    res,
    status,
    "text/html",
    page(
      `curio: ${status}`,
      `<h1>${status}</h1><p>${escapeHtml(message)}</p><p><a href="/">all runs</a></p>`,
    ),
  );
}

function intParam(v: string | null, fallback: number): number {
  const n = v === null ? Number.NaN : Number(v);
  return Number.isInteger(n) ? n : fallback;
}

/** Starts the view server; resolves once it listens. */
export async function startViewServer(opts: ViewServerOptions): Promise<ViewServer> {
  const host = opts.host ?? "127.0.0.1";
  const port = opts.port ?? 7777;
  const pollMs = opts.pollMs ?? 1000;
  const streamMaxMs = opts.streamMaxMs ?? 300_000;
  const defaultTau = opts.tau ?? 0.5;
  const loopback = isLoopback(host);
  if (!loopback && !opts.allowPublic) {
    throw new CurioError(
      `refusing to serve the run viewer on ${host}: it shows model outputs without authentication`,
      {
        exitCode: ExitCode.usage,
        hint: "use the default 127.0.0.1, or pass --host explicitly if you really want other machines to connect",
      },
    );
  }
  if (!loopback) {
    opts.onWarn?.(
      `the viewer listens on ${host}: anyone who can reach this machine can read every prompt and answer in the workspace` +
        ` (requests must name it by address${opts.allowHosts?.length ? ` or as ${opts.allowHosts.join(", ")}` : "; allow a DNS name with --allow-host NAME"})`,
    );
  }
  const hostAllowed = hostGuard(host, opts.allowHosts);
  const streams = new Set<ServerResponse>();
  const markToken = newMarkToken();
  const judgeCache = new Map<string, JudgeChoice>();

  function findRun(res: ServerResponse, raw: string): RunInfo | null {
    let id: string;
    try {
      id = decodeURIComponent(raw);
    } catch {
      errorPage(res, 400, "malformed run id in the URL");
      return null;
    }
    try {
      return opts.store.getRun(id);
    } catch (e) {
      errorPage(res, 404, (e as Error).message);
      return null;
    }
  }

  function judgeFor(run: RunInfo): JudgeChoice {
    // The run may gain held-out scores while training; only cache a positive answer.
    const cached = judgeCache.get(run.id);
    if (cached) return cached;
    const j = defaultJudge(opts.store, run.id);
    if (j === "eval") judgeCache.set(run.id, j);
    return j;
  }

  function events(req: IncomingMessage, res: ServerResponse, run: RunInfo, url: URL): void {
    res.writeHead(200, {
      "content-type": "text/event-stream; charset=utf-8",
      "cache-control": "no-store",
      connection: "keep-alive",
      "x-content-type-options": "nosniff",
    });
    streams.add(res);
    // Cursor = the last epoch and sample index the client already has (changesSince is exclusive).
    // A reconnecting EventSource sends the id of the last event it saw: "epoch:sampleIndex".
    const lastId = /^(-?\d+):(-?\d+)$/.exec(String(req.headers["last-event-id"] ?? ""));
    const cursor = lastId
      ? { epoch: Number(lastId[1]), sampleIndex: Number(lastId[2]) }
      : {
          sampleIndex: intParam(url.searchParams.get("sample"), -1),
          epoch: intParam(url.searchParams.get("epoch"), -1),
        };
    const id = () => `id: ${cursor.epoch}:${cursor.sampleIndex}\n`;
    let status = run.status as string;
    let idle = 0;
    res.write(`retry: ${Math.max(1000, pollMs)}\n: curio live view\n\n`);
    const tick = () => {
      try {
        // Drain everything new (changesSince pages samples), one event per epoch in order.
        for (;;) {
          const { samples, epochs } = opts.store.changesSince(run.id, cursor);
          for (const e of epochs) {
            cursor.epoch = Math.max(cursor.epoch, e.epoch);
            res.write(`event: epoch\n${id()}data: ${JSON.stringify(e)}\n\n`);
          }
          if (samples.length > 0) {
            cursor.sampleIndex = Math.max(cursor.sampleIndex, ...samples.map((s) => s.index));
            const data = JSON.stringify({ total: cursor.sampleIndex + 1, added: samples.length });
            res.write(`event: samples\n${id()}data: ${data}\n\n`);
          }
          if (samples.length === 0) break;
        }
        const now = opts.store.getRun(run.id).status;
        if (now !== status) {
          status = now;
          res.write(`event: status\ndata: ${JSON.stringify({ status })}\n\n`);
        }
        if (++idle * pollMs >= 15_000) {
          idle = 0;
          res.write(": keep-alive\n\n");
        }
      } catch (e) {
        res.write(`event: failure\ndata: ${JSON.stringify({ message: (e as Error).message })}\n\n`);
      }
    };
    tick();
    const timer = setInterval(tick, pollMs);
    // Streams are recycled now and then (the browser reconnects from its last event id): no connection
    // lives forever behind proxies, and a stuck client cannot pin resources.
    const recycle = setTimeout(() => res.end(), streamMaxMs);
    const stop = () => {
      clearInterval(timer);
      clearTimeout(recycle);
      streams.delete(res);
    };
    req.on("close", stop);
    res.on("close", stop);
  }

  function handle(req: IncomingMessage, res: ServerResponse) {
    // DNS-rebinding guard (view-host.ts), on every interface
    if (!hostAllowed(req.headers.host ?? "")) {
      errorPage(
        res,
        421,
        `unexpected Host header "${req.headers.host ?? ""}": not this machine (start curio view with --allow-host NAME to accept a name)`,
      );
      return;
    }
    const url = new URL(req.url ?? "/", "http://localhost");
    const parts = url.pathname.split("/").filter(Boolean);
    if (req.method === "POST" && parts[0] === "runs" && parts.length === 3 && parts[2] === "marks") {
      return handleMark(req, res, parts[1]!);
    }
    if (req.method !== "GET" && req.method !== "HEAD") {
      res.setHeader("allow", "GET, HEAD");
      errorPage(res, 405, `method ${req.method} is not allowed`);
      return;
    }
    if (url.pathname === "/") return send(res, 200, "text/html", runsPage(opts.store));
    if (url.pathname === "/static/style.css") return send(res, 200, "text/css", REPORT_CSS);
    if (url.pathname === "/static/live.js") return send(res, 200, "text/javascript", LIVE_JS);
    if (url.pathname === "/api/runs") {
      const runs = opts.store.listRuns().map((r) => ({ ...r, samples: opts.store.sampleCount(r.id) }));
      return send(res, 200, "application/json", JSON.stringify(runs));
    }
    if (parts[0] === "runs" && parts.length >= 2 && parts.length <= 3) {
      const run = findRun(res, parts[1]!);
      if (!run) return;
      if (parts.length === 2) {
        const tauParam = Number(url.searchParams.get("tau") ?? defaultTau);
        const tau = Number.isFinite(tauParam) ? Math.min(1, Math.max(0, tauParam)) : defaultTau;
        const judgeParam = url.searchParams.get("judge");
        const judge: JudgeChoice =
          judgeParam === "train" || judgeParam === "eval" ? judgeParam : judgeFor(run);
        const q = (url.searchParams.get("q") ?? "").slice(0, 500);
        const marking = opts.marks ? { token: markToken } : null;
        return send(res, 200, "text/html", runPage(opts.store, run, { q, tau, judge, limit: 200 }, marking));
      }
      if (parts[2] === "charts") return send(res, 200, "text/html", chartsFragment(opts.store, run.id));
      if (parts[2] === "events") return events(req, res, run, url);
      if (parts[2] === "epochs")
        return send(res, 200, "application/json", JSON.stringify(opts.store.epochs(run.id)));
    }
    errorPage(res, 404, `no page at ${url.pathname}`);
  }

  /** A mark from the findings table (view-marks.ts says what makes a write acceptable). */
  function handleMark(req: IncomingMessage, res: ServerResponse, rawRunId: string): void {
    const run = findRun(res, rawRunId);
    if (!run) return;
    postMark(req, res, run.id, { token: markToken, writer: opts.marks, fail: errorPage }).catch((e) => {
      if (!res.headersSent) errorPage(res, 500, (e as Error).message);
    });
  }

  const server: Server = createServer((req, res) => {
    try {
      handle(req, res);
    } catch (e) {
      if (!res.headersSent) errorPage(res, 500, (e as Error).message);
      else res.end();
    }
  });
  await new Promise<void>((resolve, reject) => {
    server.once("error", (e: NodeJS.ErrnoException) =>
      reject(
        new CurioError(`cannot listen on ${host}:${port}: ${e.message}`, {
          exitCode: ExitCode.usage,
          hint: e.code === "EADDRINUSE" ? "pick another port with --port" : undefined,
          cause: e,
        }),
      ),
    );
    server.listen(port, host, () => resolve());
  });
  const addr = server.address() as AddressInfo;
  const shownHost = addr.family === "IPv6" ? `[${addr.address}]` : addr.address;
  return {
    url: `http://${shownHost}:${addr.port}/`,
    host: addr.address,
    port: addr.port,
    close: () =>
      new Promise<void>((resolve) => {
        for (const s of streams) s.end();
        streams.clear();
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}
