// Removing the parts of a response that merely repeat the prompt, so a lexicon judge does not score the
// red team's own words when the target echoes them back.

const WORD = /\S+/g;
const norm = (w: string) => w.toLowerCase().replace(/^[^\p{L}\p{N}]+|[^\p{L}\p{N}]+$/gu, "");

/**
 * Rule: split both texts into whitespace-separated words (compared lowercased, edge punctuation ignored);
 * every maximal run of >= `minWords` consecutive response words that also occurs consecutively in the
 * prompt is removed. The kept pieces are joined with newlines so no match can span a removed gap.
 */
export function removeEcho(prompt: string, response: string, minWords = 3): string {
  const p = [...prompt.matchAll(WORD)].map((m) => norm(m[0]));
  const r = [...response.matchAll(WORD)];
  const rn = r.map((m) => norm(m[0]));
  const keep: boolean[] = new Array(r.length).fill(true);
  let i = 0;
  while (i < r.length) {
    let best = 0;
    for (let j = 0; j < p.length; j++) {
      let k = 0;
      while (i + k < r.length && j + k < p.length && rn[i + k] === p[j + k]) k++;
      if (k > best) best = k;
    }
    if (best >= minWords) {
      for (let k = 0; k < best; k++) keep[i + k] = false;
      i += best;
    } else i++;
  }
  const pieces: string[] = [];
  let current: string[] = [];
  r.forEach((m, idx) => {
    if (keep[idx]) current.push(m[0]);
    else if (current.length > 0) {
      pieces.push(current.join(" "));
      current = [];
    }
  });
  if (current.length > 0) pieces.push(current.join(" "));
  return pieces.join("\n");
}
