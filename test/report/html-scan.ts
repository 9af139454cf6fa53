// A small HTML tokenizer for tests (independent of the renderer): finds every start tag with its
// attributes, following the HTML spec's tag-open / attribute states closely enough for injection checks.
// Raw-text elements (script, style) and RCDATA (title, textarea) are skipped to their end tag, as a browser does.

export interface Tag {
  name: string;
  attrs: { name: string; value: string }[];
}

const RAW_TEXT = new Set(["script", "style", "title", "textarea", "xmp", "iframe", "noembed", "noframes"]);

export function scanTags(html: string): Tag[] {
  const tags: Tag[] = [];
  let i = 0;
  while (i < html.length) {
    const lt = html.indexOf("<", i);
    if (lt < 0) break;
    if (html.startsWith("<!--", lt)) {
      const end = html.indexOf("-->", lt + 4);
      i = end < 0 ? html.length : end + 3;
      continue;
    }
    const next = html[lt + 1] ?? "";
    if (next === "!" || next === "?") {
      const end = html.indexOf(">", lt);
      i = end < 0 ? html.length : end + 1;
      continue;
    }
    if (next === "/") {
      const end = html.indexOf(">", lt);
      i = end < 0 ? html.length : end + 1;
      continue;
    }
    if (!/[A-Za-z]/.test(next)) {
      i = lt + 1; // a bare "<" is text
      continue;
    }
    let j = lt + 1;
    while (j < html.length && !/[\s/>]/.test(html[j]!)) j++;
    const name = html.slice(lt + 1, j).toLowerCase();
    const attrs: { name: string; value: string }[] = [];
    // Attribute states.
    for (;;) {
      while (j < html.length && /[\s/]/.test(html[j]!)) j++;
      if (j >= html.length || html[j] === ">") break;
      let k = j;
      while (k < html.length && !/[\s/>=]/.test(html[k]!)) k++;
      if (k === j) k++; // a lone "=" starts an attribute name per spec
      const attrName = html.slice(j, k).toLowerCase();
      j = k;
      while (j < html.length && /\s/.test(html[j]!)) j++;
      let value = "";
      if (html[j] === "=") {
        j++;
        while (j < html.length && /\s/.test(html[j]!)) j++;
        const q = html[j];
        if (q === '"' || q === "'") {
          const end = html.indexOf(q, j + 1);
          value = html.slice(j + 1, end < 0 ? html.length : end);
          j = end < 0 ? html.length : end + 1;
        } else {
          let e = j;
          while (e < html.length && !/[\s>]/.test(html[e]!)) e++;
          value = html.slice(j, e);
          j = e;
        }
      }
      attrs.push({ name: attrName, value });
    }
    tags.push({ name, attrs });
    i = j + 1;
    if (RAW_TEXT.has(name)) {
      const close = html.toLowerCase().indexOf(`</${name}`, i);
      i = close < 0 ? html.length : close;
    }
  }
  return tags;
}

/** Decodes the entities the renderer emits plus numeric ones. */
export function decodeEntities(text: string): string {
  const named: Record<string, string> = {
    amp: "&",
    lt: "<",
    gt: ">",
    quot: '"',
    middot: "\u00b7",
    tau: "\u03c4",
    times: "\u00d7",
  };
  return text.replace(/&(#x[0-9a-f]+|#[0-9]+|[a-z]+);/gi, (m, e: string) => {
    if (e[0] === "#")
      return String.fromCodePoint(
        e[1] === "x" || e[1] === "X" ? Number.parseInt(e.slice(2), 16) : Number(e.slice(1)),
      );
    return named[e] ?? m;
  });
}

/** Text content outside tags (raw-text element bodies excluded), entities decoded. */
export function textContent(html: string): string {
  return decodeEntities(
    html
      .replace(/<(style|script|title)[^>]*>[\s\S]*?<\/\1>/gi, " ")
      .replace(/<!--[\s\S]*?-->/g, " ")
      .replace(/<[^>]*>/g, ""),
  );
}
