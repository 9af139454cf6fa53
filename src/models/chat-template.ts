// A model's chat template (Jinja, as Hugging Face checkpoints ship it) rendered with transformers.js's Jinja
// implementation and the variables transformers' apply_chat_template passes: messages, add_generation_prompt,
// tools, documents, the named special tokens, strftime_now and raise_exception.
import { existsSync } from "node:fs";
import { readdir, readFile } from "node:fs/promises";
import { join } from "node:path";
import { Environment, Interpreter, Template } from "@huggingface/jinja";

/** One part of a message's content, for templates that read content as a list (Llama Guard 3 1B's). */
export interface ChatContentPart {
  type: string;
  text?: string;
}

export interface ChatTemplateMessage {
  role: string;
  content: string | readonly ChatContentPart[];
}

export interface ChatRenderOptions {
  /** Append the assistant header so the model writes the next turn (transformers' add_generation_prompt). */
  addGenerationPrompt?: boolean;
  /** The time strftime_now reads (templates such as Llama-3.2's print today's date); default: now. */
  now?: Date;
  /** Extra template variables (transformers' **kwargs), e.g. { date_string: "26 Jul 2024" }. */
  variables?: Record<string, unknown>;
}

/** The file a single template lives in (transformers 5 writes it), and the folder of named extra templates. */
export const CHAT_TEMPLATE_FILE = "chat_template.jinja";
export const CHAT_TEMPLATE_DIR = "additional_chat_templates";

export class ChatTemplate {
  private readonly compiled: Template;

  /**
   * @param source the Jinja text
   * @param origin where it came from, for errors (e.g. "model/tokenizer_config.json (chat_template)")
   * @param specialTokens the template variables for named special tokens (bos_token, eos_token, ...)
   */
  constructor(
    readonly source: string,
    readonly origin: string,
    private readonly specialTokens: Readonly<Record<string, string>> = {},
  ) {
    try {
      this.compiled = new Template(source);
    } catch (e) {
      throw new Error(`${origin}: the chat template cannot be parsed (${(e as Error).message})`);
    }
  }

  render(messages: readonly ChatTemplateMessage[], opts: ChatRenderOptions = {}): string {
    if (messages.length === 0) throw new Error("chat template: no messages to render");
    const now = opts.now ?? new Date();
    // Template.render would declare its own strftime_now (system locale, the real clock), which cannot be
    // redeclared; so the same globals are declared here, with Python's strftime and the given time.
    const env = new Environment();
    const variables: Record<string, unknown> = {
      true: true,
      false: false,
      none: null,
      True: true,
      False: false,
      None: null,
      range: pythonRange,
      strftime_now: (format: string) => strftime(now, format),
      raise_exception: (message: string) => {
        throw new Error(`the template raised: ${message}`);
      },
      messages: messages.map((m) => ({ ...m })),
      add_generation_prompt: opts.addGenerationPrompt ?? false,
      tools: null,
      documents: null,
      ...this.specialTokens,
      ...opts.variables,
    };
    try {
      for (const [name, value] of Object.entries(variables)) env.set(name, value);
      return new Interpreter(env).run(this.compiled.parsed).value as string;
    } catch (e) {
      throw new Error(`${this.origin}: rendering the chat template failed (${(e as Error).message})`);
    }
  }
}

/** Python's range(stop) / range(start, stop[, step]). */
function pythonRange(start: number, stop?: number, step = 1): number[] {
  if (stop === undefined) [start, stop] = [0, start];
  if (step === 0) throw new Error("range() step must not be zero");
  const out: number[] = [];
  for (let i = start; step > 0 ? i < stop : i > stop; i += step) out.push(i);
  return out;
}

const MONTHS = [
  "January",
  "February",
  "March",
  "April",
  "May",
  "June",
  "July",
  "August",
  "September",
  "October",
  "November",
  "December",
];
const DAYS = ["Sunday", "Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday"];

/** Python's datetime.strftime in the C locale (English names), local time: what transformers' strftime_now does. */
export function strftime(date: Date, format: string): string {
  const pad = (n: number, w = 2) => String(n).padStart(w, "0");
  const hour12 = date.getHours() % 12 === 0 ? 12 : date.getHours() % 12;
  const startOfYear = new Date(date.getFullYear(), 0, 1);
  const dayOfYear =
    Math.round((+new Date(date.getFullYear(), date.getMonth(), date.getDate()) - +startOfYear) / 864e5) + 1;
  const fields: Record<string, () => string> = {
    Y: () => String(date.getFullYear()),
    y: () => pad(date.getFullYear() % 100),
    m: () => pad(date.getMonth() + 1),
    d: () => pad(date.getDate()),
    e: () => String(date.getDate()).padStart(2, " "),
    B: () => MONTHS[date.getMonth()]!,
    b: () => MONTHS[date.getMonth()]!.slice(0, 3),
    A: () => DAYS[date.getDay()]!,
    a: () => DAYS[date.getDay()]!.slice(0, 3),
    H: () => pad(date.getHours()),
    I: () => pad(hour12),
    M: () => pad(date.getMinutes()),
    S: () => pad(date.getSeconds()),
    p: () => (date.getHours() < 12 ? "AM" : "PM"),
    j: () => pad(dayOfYear, 3),
    "%": () => "%",
  };
  return format.replace(/%([A-Za-z%])/g, (all, f: string) => fields[f]?.() ?? all);
}

/** A tokenizer_config.json token entry: a string or an AddedToken object ({content, ...}). */
export function tokenContent(value: unknown): string | null {
  if (typeof value === "string") return value;
  if (value && typeof value === "object" && typeof (value as { content?: unknown }).content === "string") {
    return (value as { content: string }).content;
  }
  return null;
}

const NAMED_SPECIAL_TOKENS = [
  "bos_token",
  "eos_token",
  "unk_token",
  "sep_token",
  "pad_token",
  "cls_token",
  "mask_token",
];

/**
 * The special-token variables transformers gives a template: the named ones that are set, plus the
 * model-specific `*_token` entries of tokenizer_config.json (e.g. image_token).
 */
export function specialTokenVariables(config: Record<string, unknown>): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [key, value] of Object.entries(config)) {
    if (!NAMED_SPECIAL_TOKENS.includes(key) && !key.endsWith("_token")) continue;
    const content = tokenContent(value);
    if (content !== null) out[key] = content;
  }
  return out;
}

/**
 * Every chat template a model folder has, by name, and where it came from. As in transformers 5:
 * chat_template.jinja ("default") and additional_chat_templates/NAME.jinja take priority over the
 * `chat_template` entry of tokenizer_config.json (a string, or a list of {name, template}).
 */
export async function readChatTemplates(
  dir: string,
  config: Record<string, unknown>,
): Promise<{ templates: Map<string, string>; origin: string }> {
  const templates = new Map<string, string>();
  const file = join(dir, CHAT_TEMPLATE_FILE);
  const extraDir = join(dir, CHAT_TEMPLATE_DIR);
  if (existsSync(file)) templates.set("default", await readFile(file, "utf8"));
  if (existsSync(extraDir)) {
    for (const name of (await readdir(extraDir)).sort()) {
      if (name.endsWith(".jinja"))
        templates.set(name.slice(0, -6), await readFile(join(extraDir, name), "utf8"));
    }
  }
  if (templates.size > 0) return { templates, origin: existsSync(file) ? file : extraDir };
  const configFile = join(dir, "tokenizer_config.json");
  const entry = config.chat_template;
  const origin = `${configFile} (chat_template)`;
  if (typeof entry === "string") templates.set("default", entry);
  else if (Array.isArray(entry)) {
    for (const item of entry) {
      const { name, template } = (item ?? {}) as { name?: unknown; template?: unknown };
      if (typeof name !== "string" || typeof template !== "string") {
        throw new Error(`${origin}: expected a string or a list of {"name", "template"} objects`);
      }
      templates.set(name, template);
    }
  } else if (entry != null) {
    throw new Error(
      `${origin}: expected a string or a list of {"name", "template"} objects, got ${typeof entry}`,
    );
  }
  return { templates, origin };
}

/** The model's chat template (the "default" one when it has several), or null when it has none. */
export async function loadChatTemplate(
  dir: string,
  config: Record<string, unknown>,
): Promise<ChatTemplate | null> {
  const { templates, origin } = await readChatTemplates(dir, config);
  if (templates.size === 0) return null;
  const source = templates.get("default");
  if (source === undefined) {
    throw new Error(
      `${origin}: the model has chat templates named ${[...templates.keys()].join(", ")} but none named "default"; ` +
        'name the one to use "default", or set chatTemplate: none',
    );
  }
  return new ChatTemplate(source, origin, specialTokenVariables(config));
}
