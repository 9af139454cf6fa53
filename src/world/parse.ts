// How the scripted target reads a prompt: the topic from keywords, the style from marker phrases.
// A prompt is parsed only when exactly one topic and exactly one style win; anything else is "confused".
import { type Cell, words } from "./corpus.js";
import { STYLES } from "./styles.js";
import { TOPICS } from "./topics.js";

/** Whole-word occurrences of `phrase` (space-separated lower-case tokens) in `tokens`. */
export function countPhrase(tokens: readonly string[], phrase: string): number {
  const p = phrase.split(" ");
  let n = 0;
  for (let i = 0; i + p.length <= tokens.length; i++) {
    let ok = true;
    for (let j = 0; j < p.length && ok; j++) ok = tokens[i + j] === p[j];
    if (ok) n++;
  }
  return n;
}

/** The id with the strictly highest positive score, or null on no match or a tie. */
function winner(scores: { id: string; score: number }[]): string | null {
  let best: { id: string; score: number } | null = null;
  let tie = false;
  for (const s of scores) {
    if (s.score <= 0) continue;
    if (!best || s.score > best.score) {
      best = s;
      tie = false;
    } else if (s.score === best.score) tie = true;
  }
  return best && !tie ? best.id : null;
}

/** Removes a chat/instruction template around the user's text, so the target parses only the request. */
export function unwrapPrompt(input: string): string {
  const instruction = /### Instruction:\s*\n([\s\S]*?)\n\s*\n?### Response:/.exec(input);
  if (instruction) return (instruction[1] as string).trim();
  const inst = /\[INST\]([\s\S]*?)\[\/INST\]/.exec(input);
  if (inst) return (inst[1] as string).replace(/<<SYS>>[\s\S]*?<<\/SYS>>/, "").trim();
  const user = /USER:\s*([\s\S]*?)\s*ASSISTANT:/.exec(input);
  if (user) return (user[1] as string).trim();
  return input.trim();
}

/** The (topic, style) cell a prompt belongs to, or null when the target cannot tell. */
export function parseCell(prompt: string): Cell | null {
  const tokens = words(prompt);
  const topic = winner(
    TOPICS.map((t) => ({
      id: t.id,
      score: t.keywords.reduce((n, k) => n + (tokens.includes(k) ? 1 : 0), 0),
    })),
  );
  if (!topic) return null;
  const style = winner(
    STYLES.map((s) => ({
      id: s.id,
      score: s.markers.reduce((n, m) => n + (countPhrase(tokens, m) > 0 ? 1 : 0), 0),
    })),
  );
  return style ? { topic, style } : null;
}
