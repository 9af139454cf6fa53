// Word tokenizer for SelfBLEU: a port of NLTK 3.8's `word_tokenize(text, preserve_line=True)`, i.e. the
// NLTKWordTokenizer (an improved Treebank tokenizer) applied to the whole text without Punkt sentence
// splitting. The regexes run in NLTK's order; Python `re` semantics that differ from JavaScript are
// spelled out below (Unicode \w, \b, \d, \s and `$`), so that the tokens match NLTK's exactly.

/** Python's Unicode `\w`: letters, numbers and the underscore. */
const WORD = "[\\p{L}\\p{N}_]";
/** Python's Unicode `\b` (JavaScript's `\b` is ASCII-only). */
const BOUNDARY = `(?:(?<=${WORD})(?!${WORD})|(?<!${WORD})(?=${WORD}))`;
/** Python's `str.isspace()` / Unicode `\s` (includes \x1c-\x1f and \x85, excludes \ufeff, unlike JavaScript). */
const SPACE_CLASS =
  "\\t\\n\\v\\f\\r\\x1c-\\x20\\x85\\xa0\\u1680\\u2000-\\u200a\\u2028\\u2029\\u202f\\u205f\\u3000";
const SPACE = `[${SPACE_CLASS}]`;
/** Python's `$` without MULTILINE: end of text, or just before a final newline. */
const END = "(?=\\n?$)";

type Rule = readonly [RegExp, string];
const rule = (source: string, replacement: string, flags = "gu"): Rule => [
  new RegExp(source, flags),
  replacement,
];

const STARTING_QUOTES: readonly Rule[] = [
  rule("([«“‘„]|`+)", " $1 "),
  rule('^"', "``"),
  rule("(``)", " $1 "),
  rule(`([ (\\[{<])("|'{2})`, "$1 `` "),
  rule(`(')(?!re|ve|ll|m|t|s|d|n)(${WORD})${BOUNDARY}`, "$1 $2", "giu"),
];

const PUNCTUATION: readonly Rule[] = [
  rule(`([^.])(\\.)([\\])}>"'»”’ ]*)${SPACE}*${END}`, "$1 $2 $3 "),
  rule("([:,])([^\\p{Nd}])", " $1 $2"),
  rule(`([:,])${END}`, " $1 "),
  rule("\\.{2,}", " $& "),
  rule("[;@#$%&]", " $& "),
  // The final period (NLTK applies this second, slightly different rule too).
  rule(`([^.])(\\.)([\\])}>"']*)${SPACE}*${END}`, "$1 $2$3 "),
  rule("[?!]", " $& "),
  rule("([^'])' ", "$1 ' "),
  rule("[*]", " $& "),
];

const PARENS_BRACKETS: Rule = rule("[\\]\\[(){}<>]", " $& ");
const DOUBLE_DASHES: Rule = rule("--", " -- ");

const ENDING_QUOTES: readonly Rule[] = [
  rule("([»”’])", " $1 "),
  rule("''", " '' "),
  rule('"', " '' "),
  rule("([^' ])('[sS]|'[mM]|'[dD]|') ", "$1 $2 "),
  rule("([^' ])('ll|'LL|'re|'RE|'ve|'VE|n't|N'T) ", "$1 $2 "),
];

// MacIntyre contractions: "cannot" -> "can" "not", "gonna" -> "gon" "na", " 'tis" -> "'t" "is", ...
const CONTRACTIONS: readonly Rule[] = [
  ...[
    ["can", "not"],
    ["d", "'ye"],
    ["gim", "me"],
    ["gon", "na"],
    ["got", "ta"],
    ["lem", "me"],
    ["more", "'n"],
  ].map(([a, b]) => rule(`${BOUNDARY}(${a})(${b})${BOUNDARY}`, " $1 $2 ", "giu")),
  rule(`${BOUNDARY}(wan)(na)(?=${SPACE})`, " $1 $2 ", "giu"),
  rule(" ('t)(is)" + BOUNDARY, " $1 $2 ", "giu"),
  rule(" ('t)(was)" + BOUNDARY, " $1 $2 ", "giu"),
];

const SPLIT = new RegExp(`${SPACE}+`, "u");

function applyAll(text: string, rules: readonly Rule[]): string {
  for (const [pattern, replacement] of rules) text = text.replace(pattern, replacement);
  return text;
}

/**
 * Split text into word tokens exactly like NLTK's `word_tokenize(text, preserve_line=True)`:
 * "I can't go." -> ["I", "ca", "n't", "go", "."]. Double quotes become `` and ''.
 */
export function wordTokenize(text: string): string[] {
  if (typeof text !== "string") {
    throw new TypeError(`wordTokenize expects a string, got ${typeof text}: pass the test case text`);
  }
  text = applyAll(text, STARTING_QUOTES);
  text = applyAll(text, PUNCTUATION);
  text = applyAll(text, [PARENS_BRACKETS, DOUBLE_DASHES]);
  text = ` ${text} `;
  text = applyAll(text, ENDING_QUOTES);
  text = applyAll(text, CONTRACTIONS);
  return text.split(SPLIT).filter((token) => token.length > 0);
}
