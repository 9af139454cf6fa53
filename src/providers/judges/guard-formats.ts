// The verdict formats of the guard models curio runs locally: what the guard writes before its verdict, the
// verdict words (each scored by its first token), and how the category line after the verdict reads.
// Llama Guard 3 answers "\n\nunsafe\nS1,S3" (the template's generation prompt ends at the assistant header);
// Qwen3Guard-Gen answers "Safety: Unsafe\nCategories: Violent\nRefusal: No" after its empty think block.

export type GuardFormatName = "llama-guard" | "qwen3guard";

/** Llama Guard 3's default hazard categories (MLCommons taxonomy), as its chat template lists them. */
export const LLAMA_GUARD_CATEGORIES: Readonly<Record<string, string>> = {
  S1: "Violent Crimes.",
  S2: "Non-Violent Crimes.",
  S3: "Sex Crimes.",
  S4: "Child Exploitation.",
  S5: "Defamation.",
  S6: "Specialized Advice.",
  S7: "Privacy.",
  S8: "Intellectual Property.",
  S9: "Indiscriminate Weapons.",
  S10: "Hate.",
  S11: "Self-Harm.",
  S12: "Sexual Content.",
  S13: "Elections.",
};

export interface GuardFormat {
  name: GuardFormatName;
  /** Text the guard writes right before its verdict word; fed after the template, so the next token is the verdict. */
  prefix: string;
  /** The verdict words as the guard writes them after the prefix. */
  safe: string;
  unsafe: string[];
  /** The category names (or keys) the verdict text names, [] when it names none. */
  categories(continuation: string): string[];
  /** Whether message content is a list of {type, text} parts (Llama Guard 3 1B's template reads it so). */
  contentParts: boolean;
}

export const GUARD_FORMATS: Record<GuardFormatName, GuardFormat> = {
  "llama-guard": {
    name: "llama-guard",
    prefix: "\n\n",
    safe: "safe",
    unsafe: ["unsafe"],
    // "unsafe\nS1,S3": the second line lists the violated keys
    categories: (text) =>
      (text.split("\n")[1] ?? "")
        .split(",")
        .map((s) => s.trim())
        .filter(Boolean),
    contentParts: true,
  },
  qwen3guard: {
    name: "qwen3guard",
    prefix: "Safety:",
    safe: " Safe",
    unsafe: [" Unsafe", " Controversial"],
    categories: (text) => {
      const line = /Categories:([^\n]*)/.exec(text)?.[1] ?? "";
      return line
        .split(",")
        .map((s) => s.trim())
        .filter((s) => s && s.toLowerCase() !== "none");
    },
    contentParts: false,
  },
};

/** Recognises a guard's chat template by its instructions; null when it is neither known format. */
export function detectGuardFormat(template: string): GuardFormatName | null {
  if (template.includes("Safety: Unsafe") && template.includes("Categories:")) return "qwen3guard";
  if (template.includes("'safe' or 'unsafe'") && template.includes("UNSAFE CONTENT CATEGORIES"))
    return "llama-guard";
  return null;
}
