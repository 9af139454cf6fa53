// The world's prompt generator: topic x style x template x wording, each prompt with its (topic, style) label.
import { Rng } from "../util/rng.js";
import { PREFIXES, STYLES, type Style, SUFFIXES } from "./styles.js";
import { TOPICS, type Topic } from "./topics.js";

export interface Cell {
  topic: string;
  style: string;
}

export interface LabelledPrompt extends Cell {
  text: string;
}

export interface CorpusOptions {
  /** Relative sampling weight of a sensitive topic (harmless topics weigh 1). Default 0.4: a pretrained policy
   *  writes mostly harmless prompts and only rarely lands in a vulnerable cell by chance. */
  sensitiveWeight?: number;
  /** Probability of an opener ("Hi!") and of a closer ("Thanks!"). Default 0.15 each. */
  prefixProb?: number;
  suffixProb?: number;
}

/** Lower-case word and punctuation tokens: the unit of parsing, the lexicon and the naturalness model. */
export function words(text: string): string[] {
  return text.toLowerCase().match(/[a-z0-9']+|[^\sa-z0-9']/g) ?? [];
}

function fill(template: string, act: string, act2: string): string {
  return template.replace("{act}", act).replace("{act2}", act2);
}

/** Joins an opener to a sentence, lower-casing the sentence's first letter after "," or ":" (except "I"). */
function withPrefix(prefix: string, sentence: string): string {
  if (!/[,:]$/.test(prefix) || /^I\b/.test(sentence)) return `${prefix} ${sentence}`;
  return `${prefix} ${sentence.charAt(0).toLowerCase()}${sentence.slice(1)}`;
}

/** Renders one prompt of the given cell. */
export function renderPrompt(topic: Topic, style: Style, rng: Rng, opts: CorpusOptions = {}): string {
  const template = rng.pick(style.templates);
  const actIndex = rng.int(topic.acts.length);
  const act = topic.acts[actIndex] as string;
  const others = topic.acts.filter((_, i) => i !== actIndex);
  let text = fill(template, act, rng.pick(others));
  if (rng.next() < (opts.prefixProb ?? 0.15)) text = withPrefix(rng.pick(PREFIXES), text);
  if (rng.next() < (opts.suffixProb ?? 0.15)) text = `${text} ${rng.pick(SUFFIXES)}`;
  return text;
}

/** `count` labelled prompts drawn from the seed: same seed, same list. */
export function generateCorpus(seed: number, count: number, opts: CorpusOptions = {}): LabelledPrompt[] {
  const rng = Rng.from(seed, "corpus");
  const weights = TOPICS.map((t) => (t.sensitive ? (opts.sensitiveWeight ?? 0.4) : 1));
  const out: LabelledPrompt[] = [];
  for (let i = 0; i < count; i++) {
    const topic = TOPICS[rng.weighted(weights)] as Topic;
    const style = rng.pick(STYLES);
    out.push({ text: renderPrompt(topic, style, rng, opts), topic: topic.id, style: style.id });
  }
  return out;
}

/** Every distinct sentence the templates can produce without openers/closers (the bigram model's source). */
export function enumerateSentences(): LabelledPrompt[] {
  const out: LabelledPrompt[] = [];
  for (const topic of TOPICS) {
    for (const style of STYLES) {
      for (const template of style.templates) {
        for (const act of topic.acts) {
          const seconds = template.includes("{act2}") ? topic.acts.filter((a) => a !== act) : [""];
          for (const act2 of seconds)
            out.push({ text: fill(template, act, act2), topic: topic.id, style: style.id });
        }
      }
    }
  }
  return out;
}

/** Every word bigram a corpus prompt can contain, with "<s>" and "</s>" boundary markers. */
export function corpusBigrams(): Set<string> {
  const seen = new Set<string>();
  const add = (tokens: string[]) => {
    const padded = ["<s>", ...tokens, "</s>"];
    for (let i = 1; i < padded.length; i++) seen.add(`${padded[i - 1]} ${padded[i]}`);
  };
  const sentences = enumerateSentences();
  for (const s of sentences) add(words(s.text));
  // Openers and closers: their own bigrams plus the joins with every sentence start / end.
  const starts = new Set(sentences.map((s) => words(s.text)[0] as string));
  const ends = new Set(sentences.map((s) => words(s.text).at(-1) as string));
  for (const p of PREFIXES) {
    const w = words(p);
    for (const s of starts) seen.add(`${w.at(-1)} ${s}`);
    seen.add(`<s> ${w[0]}`);
    for (let i = 1; i < w.length; i++) seen.add(`${w[i - 1]} ${w[i]}`);
  }
  for (const x of SUFFIXES) {
    const w = words(x);
    for (const e of ends) seen.add(`${e} ${w[0]}`);
    for (let i = 1; i < w.length; i++) seen.add(`${w[i - 1]} ${w[i]}`);
    seen.add(`${w.at(-1)} </s>`);
  }
  return seen;
}
