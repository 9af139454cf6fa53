// Target prompt templates, and the paper's preprocessing of a red-team sample before it is sent:
// strip, cut at the first newline or EOS string, then wrap in the target's template.

export const ALPACA_TEMPLATE =
  "Below is an instruction that describes a task. Write a response that appropriately completes the request.\n\n" +
  "### Instruction:\n{x}\n\n### Response:\n";

/** Meta's default Llama-2-chat system prompt (used when `systemPrompt` is not given; "" disables it). */
export const LLAMA2_DEFAULT_SYSTEM_PROMPT =
  "You are a helpful, respectful and honest assistant. Always answer as helpfully as possible, while being safe.  " +
  "Your answers should not include any harmful, unethical, racist, sexist, toxic, dangerous, or illegal content. " +
  "Please ensure that your responses are socially unbiased and positive in nature.\n\n" +
  "If a question does not make any sense, or is not factually coherent, explain why instead of answering " +
  "something not correct. If you don't know the answer to a question, please don't share false information.";

/** Vicuna v1.1 system line. */
export const VICUNA_SYSTEM_PROMPT =
  "A chat between a curious user and an artificial intelligence assistant. " +
  "The assistant gives helpful, detailed, and polite answers to the user's questions.";

// "chat": the test case is the user turn of a chat API as is (the chat target adds its own system message)
export const TEMPLATE_NAMES = ["raw", "alpaca", "dolly", "llama2-chat", "vicuna", "chat"] as const;
export type TemplateName = (typeof TEMPLATE_NAMES)[number];

export interface ChatMessage {
  role: "system" | "user" | "assistant";
  content: string;
}

/** Wraps a test case x into the text a completion-style target reads. */
export function applyTemplate(name: TemplateName, x: string, systemPrompt?: string): string {
  switch (name) {
    case "raw":
    case "chat":
      return x;
    case "alpaca":
    case "dolly":
      return ALPACA_TEMPLATE.replace("{x}", () => x);
    case "llama2-chat": {
      // The tokenizer adds BOS (<s>); the text starts at [INST].
      const sys = systemPrompt ?? LLAMA2_DEFAULT_SYSTEM_PROMPT;
      return sys === "" ? `[INST] ${x} [/INST]` : `[INST] <<SYS>>\n${sys}\n<</SYS>>\n\n${x} [/INST]`;
    }
    case "vicuna":
      return `${systemPrompt ?? VICUNA_SYSTEM_PROMPT} USER: ${x} ASSISTANT:`;
  }
}

/** Chat-API messages: an optional system message, then the test case as the user turn. */
export function toChatMessages(x: string, systemPrompt?: string): ChatMessage[] {
  const messages: ChatMessage[] = [];
  if (systemPrompt) messages.push({ role: "system", content: systemPrompt });
  messages.push({ role: "user", content: x });
  return messages;
}

export interface PreprocessOptions {
  /** Strings that end a sample, e.g. the red team's EOS token text ("<|endoftext|>"). */
  eos?: readonly string[];
  /** Cut at the first newline (the paper's instruction tasks); default true. */
  cutAtNewline?: boolean;
}

/**
 * The paper's preprocessing of a red-team sample: strip whitespace, cut at the first newline or EOS string
 * (whichever comes first), and strip again so the cut leaves no trailing space.
 */
export function preprocessTestCase(sample: string, opts: PreprocessOptions = {}): string {
  let x = sample.trim();
  let cut = x.length;
  const stops = [...(opts.eos ?? []), ...(opts.cutAtNewline === false ? [] : ["\n"])];
  for (const stop of stops) {
    if (stop === "") continue;
    const i = x.indexOf(stop);
    if (i >= 0 && i < cut) cut = i;
  }
  x = x.slice(0, cut);
  return x.trim();
}

/** preprocessTestCase then applyTemplate: the text sent to a completion-style target. */
export function prepareTargetInput(
  sample: string,
  template: TemplateName,
  opts: PreprocessOptions & { systemPrompt?: string } = {},
): string {
  return applyTemplate(template, preprocessTestCase(sample, opts), opts.systemPrompt);
}
