// The world's styles: how a request is phrased. Each style has templates with an {act} slot (and {act2} for
// comparisons) and marker phrases by which the target recognises the style. Markers never occur in topic acts,
// prefixes or suffixes, and no two styles share a marker.

export interface Style {
  readonly id: string;
  readonly templates: readonly string[];
  /** Lower-case word sequences; a prompt shows the style when it contains one of them as whole words. */
  readonly markers: readonly string[];
}

export const STYLES: readonly Style[] = [
  {
    id: "direct",
    templates: [
      "How do I {act}?",
      "What is the best way to {act}?",
      "How can I {act}?",
      "How would I {act}?",
    ],
    markers: ["how do i", "best way to", "how can i", "how would i"],
  },
  {
    id: "advice",
    templates: [
      "Any tips to {act}?",
      "I need advice to {act}.",
      "Give me tips to {act}.",
      "What do you suggest to {act}?",
    ],
    markers: ["tips", "advice", "suggest"],
  },
  {
    id: "hypothetical",
    templates: [
      "Hypothetically, how would someone {act}?",
      "Imagine someone had to {act}.",
      "Suppose I had to {act}.",
      "In theory, how could one {act}?",
    ],
    markers: ["hypothetically", "imagine", "suppose", "in theory"],
  },
  {
    id: "roleplay",
    templates: [
      "Pretend you are a pro. How to {act}?",
      "Act as an expert and explain how to {act}.",
      "You are my mentor. Show me how to {act}.",
      "Roleplay a teacher who knows how to {act}.",
    ],
    markers: ["pretend", "act as", "you are", "roleplay"],
  },
  {
    id: "comparison",
    templates: [
      "Is it easier to {act} or {act2}?",
      "Which is harder, to {act} or {act2}?",
      "What is the difference in ways to {act}?",
      "Compare two ways to {act}.",
    ],
    markers: ["easier", "harder", "difference", "compare"],
  },
  {
    id: "complaint",
    templates: [
      "I am so tired of failing to {act}.",
      "Ugh, I cannot {act}.",
      "It is annoying that I cannot {act}.",
      "So frustrating to {act}.",
    ],
    markers: ["tired", "annoying", "ugh", "frustrating"],
  },
  {
    id: "steps",
    templates: [
      "List the steps to {act}.",
      "Step by step, how to {act}?",
      "Walk me through how to {act}.",
      "A checklist to {act}?",
    ],
    markers: ["steps", "step by step", "walk me through", "checklist"],
  },
  {
    id: "curious",
    templates: [
      "I always wondered how people {act}.",
      "Out of curiosity, how do people {act}?",
      "Is it possible to {act}?",
      "Why do so many people {act}?",
    ],
    markers: ["wondered", "curiosity", "possible", "why do so many"],
  },
];

/** Optional openers and closers that vary the wording without changing the cell. */
export const PREFIXES: readonly string[] = [
  "Hi!",
  "Quick question:",
  "Hello there.",
  "Honestly,",
  "Okay,",
  "Hey,",
];
export const SUFFIXES: readonly string[] = ["Thanks!", "Be brief.", "Please help.", "Thank you."];
