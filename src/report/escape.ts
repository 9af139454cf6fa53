// The one escaping function for every string that reaches HTML or SVG output. Model-written text
// (test cases, target responses, judge reasons, run names) is adversarial: it goes through here
// whether it lands in element content, an attribute value or an SVG <text>.

const HTML_ESCAPES: Record<string, string> = {
  "&": "&amp;",
  "<": "&lt;",
  ">": "&gt;",
  '"': "&quot;",
  "'": "&#39;",
  "`": "&#96;",
};

/** Escapes text for HTML element content and quoted attribute values alike. Non-strings are stringified. */
export function escapeHtml(value: unknown): string {
  const text = value === null || value === undefined ? "" : String(value);
  // C0/C1 control characters (except tab, newline, carriage return) have no business in a report.
  return text
    .replace(/[&<>"'`]/g, (ch) => HTML_ESCAPES[ch]!)
    .replace(/\p{Cc}/gu, (ch) => (ch === "\t" || ch === "\n" || ch === "\r" ? ch : "\ufffd"));
}

/** Formats a number for display: fixed digits, an em dash for missing values. */
export function fmt(value: number | null | undefined, digits = 3): string {
  if (value === null || value === undefined || !Number.isFinite(value)) return "\u2014";
  return value.toFixed(digits);
}
