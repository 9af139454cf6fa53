// A policy document as the labelling judge reads it: the document itself plus its rules, numbered R1, R2, ...
// A rule is a Markdown list item ("- ...", "* ...", "1. ..."); nested items belong to the rule above them.
import { CurioError, ExitCode } from "../config/errors.js";

export interface PolicyDocument {
  file: string;
  text: string;
  /** Rule key (R1, R2, ...) -> the rule's text. */
  rules: Record<string, string>;
}

export function parsePolicy(file: string, text: string): PolicyDocument {
  if (text.trim() === "") {
    throw new CurioError(
      `${file} is empty: write the policy's rules in it, one Markdown list item per rule ("- Never give dosage advice.")`,
      { exitCode: ExitCode.usage },
    );
  }
  const items = text
    .split(/\r?\n/)
    .map((line) => /^(?:[-*+]|\d+[.)])\s+(.+)$/.exec(line)?.[1]?.trim()) // top level only: no indentation
    .filter((s): s is string => !!s);
  if (items.length === 0) {
    throw new CurioError(
      `${file} has no rules: write each rule as a top-level Markdown list item ("- ..." or "1. ..."), ` +
        "so that the judge can name the rule a sample violates",
      { exitCode: ExitCode.usage },
    );
  }
  return { file, text, rules: Object.fromEntries(items.map((r, i) => [`R${i + 1}`, r])) };
}

/** The policy text given to the labelling LLM: the document, then its rules by key. */
export function policyForJudge(p: PolicyDocument): string {
  const rules = Object.entries(p.rules).map(([k, r]) => `${k}: ${r}`);
  return `${p.text.trim()}\n\n# Rules (name a violated rule by its key, e.g. "R1")\n${rules.join("\n")}`;
}

/** The rule key a verdict names ("R2", "rule 2", "2", or the rule's text), or null. */
export function ruleKey(p: PolicyDocument, named: string | null | undefined): string | null {
  if (!named) return null;
  const n = /^\s*(?:r(?:ule)?\s*)?(\d+)\b/i.exec(named)?.[1];
  if (n && p.rules[`R${n}`]) return `R${n}`;
  const byText = Object.entries(p.rules).find(([, r]) => r.toLowerCase() === named.trim().toLowerCase());
  return byText ? byText[0] : null;
}
