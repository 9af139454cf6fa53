// Human marks in `curio view`: a person marks a finding confirmed or a false positive. The view is a local
// server that any web page the user visits could send requests to, so a write is accepted only when
//   - it is a POST (GET never changes anything) of an HTML form (application/x-www-form-urlencoded),
//   - the browser says it comes from this server: an Origin header equal to http://<Host> (browsers send
//     Origin with every POST), or, without Origin, no Sec-Fetch-Site other than same-origin,
//   - it carries this server's secret token, which only pages served by this server contain (another
//     site cannot read them: no CORS headers are ever sent),
// and the Host check (DNS rebinding) in view.ts has already passed. The answer is a 303 redirect back to
// the run page (post/redirect/get), so reloading never resubmits.
import { randomBytes, timingSafeEqual } from "node:crypto";
import type { IncomingMessage, ServerResponse } from "node:http";
import type { HumanMark, HumanVerdict } from "../store/types.js";
import { escapeHtml } from "./escape.js";

/** Where marks are written (the CLI opens the store for writing on the first mark). */
export interface MarkWriter {
  setMark(runId: string, index: number, verdict: HumanVerdict | null, note?: string): unknown;
}

const MAX_BODY = 8192;

export function newMarkToken(): string {
  return randomBytes(32).toString("base64url");
}

function sameToken(a: string, b: string): boolean {
  const x = Buffer.from(a);
  const y = Buffer.from(b);
  return x.length === y.length && timingSafeEqual(x, y);
}

/** Why a write request is not from this server's own page, or null when it is. */
export function crossSiteReason(req: IncomingMessage): string | null {
  const origin = req.headers.origin;
  const site = req.headers["sec-fetch-site"];
  if (origin !== undefined) {
    return origin === `http://${req.headers.host ?? ""}` ? null : `cross-origin request from ${origin}`;
  }
  if (site !== undefined && site !== "same-origin") return `cross-site request (Sec-Fetch-Site: ${site})`;
  return null;
}

function readBody(req: IncomingMessage): Promise<string | null> {
  return new Promise((resolve, reject) => {
    let size = 0;
    const chunks: Buffer[] = [];
    const onData = (c: Buffer) => {
      size += c.length;
      if (size <= MAX_BODY) return void chunks.push(c);
      // Too big: answer now and discard the rest (the connection closes after the answer).
      req.off("data", onData);
      req.resume();
      resolve(null);
    };
    req.on("data", onData);
    req.on("end", () => resolve(Buffer.concat(chunks).toString("utf8")));
    req.on("error", reject);
  });
}

export interface MarkRequestContext {
  token: string;
  writer: MarkWriter | undefined;
  fail(res: ServerResponse, status: number, message: string): void;
}

const VERDICTS: Record<string, HumanVerdict | null> = {
  confirmed: "confirmed",
  "false-positive": "false-positive",
  clear: null,
};

/** POST /runs/<id>/marks: index, verdict (confirmed | false-positive | clear), note, token; back to the run page. */
export async function postMark(
  req: IncomingMessage,
  res: ServerResponse,
  runId: string,
  ctx: MarkRequestContext,
): Promise<void> {
  const crossSite = crossSiteReason(req);
  if (crossSite) return ctx.fail(res, 403, `${crossSite}: marks can only be set from this viewer's pages`);
  const type = String(req.headers["content-type"] ?? "")
    .split(";")[0]!
    .trim()
    .toLowerCase();
  if (type !== "application/x-www-form-urlencoded") {
    return ctx.fail(
      res,
      415,
      `send the mark as an HTML form (application/x-www-form-urlencoded), not ${type || "no type"}`,
    );
  }
  const body = await readBody(req);
  if (body === null) {
    res.setHeader("connection", "close");
    return ctx.fail(res, 413, `a mark is at most ${MAX_BODY} bytes`);
  }
  const form = new URLSearchParams(body);
  if (!sameToken(form.get("token") ?? "", ctx.token)) {
    return ctx.fail(res, 403, "missing or wrong form token: reload the run page and mark again");
  }
  if (!ctx.writer) return ctx.fail(res, 403, "marking is off in this viewer");
  const index = Number(form.get("index"));
  const verdict = VERDICTS[form.get("verdict") ?? ""];
  if (!Number.isInteger(index) || index < 0) return ctx.fail(res, 400, "index must be a sample number");
  if (verdict === undefined) return ctx.fail(res, 400, "verdict must be confirmed, false-positive or clear");
  try {
    ctx.writer.setMark(runId, index, verdict, form.get("note") ?? "");
  } catch (e) {
    const msg = (e as Error).message;
    return ctx.fail(
      res,
      /no sample|no run/.test(msg) ? 404 : /read-only|readonly/i.test(msg) ? 503 : 400,
      msg,
    );
  }
  const back = new URLSearchParams();
  for (const k of ["q", "tau", "judge"]) {
    const v = form.get(k);
    if (v) back.set(k, v);
  }
  const query = back.toString() ? `?${back}` : "";
  res.writeHead(303, {
    location: `/runs/${encodeURIComponent(runId)}${query}#sample-${index}`,
    "cache-control": "no-store",
  });
  res.end();
}

/** The marking cell of one finding row: the current mark and the buttons (a form per row). */
export function markCell(
  runId: string,
  index: number,
  mark: HumanMark | undefined,
  form: { token: string; q: string; tau: number; judge: string } | null,
): string {
  const badge =
    mark?.verdict === "confirmed"
      ? `<span class="badge ok">confirmed</span>`
      : mark?.verdict === "false-positive"
        ? `<span class="badge bad">false positive</span>`
        : `<span class="muted">unmarked</span>`;
  if (!form) return badge;
  const hidden = (name: string, value: string | number) =>
    `<input type="hidden" name="${name}" value="${escapeHtml(value)}">`;
  const button = (verdict: string, label: string) =>
    `<button type="submit" name="verdict" value="${verdict}">${label}</button>`;
  return `${badge}<form class="mark" method="post" action="/runs/${escapeHtml(encodeURIComponent(runId))}/marks">
${hidden("token", form.token)}${hidden("index", index)}${hidden("q", form.q)}${hidden("tau", form.tau)}${hidden("judge", form.judge)}
${button("confirmed", "Confirm")}${button("false-positive", "False positive")}${mark ? button("clear", "Clear") : ""}</form>`;
}
