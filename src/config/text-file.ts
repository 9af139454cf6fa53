// Reading a file the user wrote (curio.yaml, seed data, env files, file:// references) as UTF-8 text,
// with errors that name the file and the line when it is missing, binary, UTF-16 or not UTF-8.
import { readFileSync } from "node:fs";
import { ConfigError } from "./errors.js";

/** The 1-based line of byte offset `at` in `bytes`. */
function lineAt(bytes: Uint8Array, at: number): number {
  let line = 1;
  for (let i = 0; i < at && i < bytes.length; i++) if (bytes[i] === 0x0a) line++;
  return line;
}

/** Offset of the first byte that does not continue a UTF-8 sequence (lead bytes and continuations). */
function firstBadUtf8Byte(b: Uint8Array): number {
  for (let i = 0; i < b.length; ) {
    const c = b[i]!;
    const extra =
      c < 0x80
        ? 0
        : c >= 0xc2 && c <= 0xdf
          ? 1
          : c >= 0xe0 && c <= 0xef
            ? 2
            : c >= 0xf0 && c <= 0xf4
              ? 3
              : -1;
    if (extra < 0) return i;
    for (let k = 1; k <= extra; k++) if (((b[i + k] ?? 0) & 0xc0) !== 0x80) return i;
    i += extra + 1;
  }
  return -1;
}

/**
 * Decodes `bytes` as UTF-8 text (a leading byte-order mark is dropped). `source` names the file in
 * errors, `where` prefixes them (e.g. the config key that refers to the file).
 */
export function decodeText(bytes: Uint8Array, source: string, where = ""): string {
  const prefix = where ? `${where}: ` : "";
  if ((bytes[0] === 0xff && bytes[1] === 0xfe) || (bytes[0] === 0xfe && bytes[1] === 0xff)) {
    throw new ConfigError(`${prefix}${source} is UTF-16 text; curio reads UTF-8`, {
      hint: "save the file as UTF-8 (e.g. `iconv -f UTF-16 -t UTF-8 in > out`)",
    });
  }
  const nul = bytes.indexOf(0);
  if (nul >= 0) {
    throw new ConfigError(
      `${prefix}${source} is not a text file (a NUL byte on line ${lineAt(bytes, nul)}, byte ${nul + 1})`,
      { hint: "point to the text file itself (for data sets: .jsonl, .json, .csv or .txt, uncompressed)" },
    );
  }
  try {
    return new TextDecoder("utf-8", { fatal: true, ignoreBOM: false }).decode(bytes);
  } catch {
    const bad = Math.max(0, firstBadUtf8Byte(bytes));
    throw new ConfigError(
      `${prefix}${source} is not valid UTF-8 (line ${lineAt(bytes, bad)}, byte ${bad + 1}: 0x${bytes[bad]!.toString(16)})`,
      { hint: "save the file as UTF-8 (e.g. `iconv -f LATIN1 -t UTF-8 in > out`)" },
    );
  }
}

/** Reads a file as UTF-8 text; a file that cannot be read is a ConfigError naming it and the reason. */
export function readTextFile(path: string, where = "", hint?: string): string {
  let bytes: Buffer;
  try {
    bytes = readFileSync(path);
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code ?? String(e);
    throw new ConfigError(`${where ? `${where}: ` : ""}cannot read ${path} (${code})`, { hint, cause: e });
  }
  return decodeText(bytes, path, where);
}
