// An n-gram trie over interned token ids: node 0 is the empty prefix, child(node, token) is the n-gram extended by
// one token. Every n-gram of every order gets a dense integer id, so per-n-gram statistics live in flat typed
// arrays. Edges are stored in an open-addressing hash table keyed by (parent, token): no string keys, no
// collisions (keys are compared exactly), ~12 bytes per n-gram plus table slack.

const EMPTY = -1;
const MAX_LOAD = 0.7;

/** Grow a typed array to at least `length` entries (doubling), keeping its contents. */
export function growInt32(array: Int32Array<ArrayBuffer>, length: number): Int32Array<ArrayBuffer> {
  if (array.length >= length) return array;
  const grown = new Int32Array(Math.max(length, array.length * 2, 16));
  grown.set(array);
  return grown;
}

function hashPair(parent: number, token: number): number {
  let h = Math.imul(parent, 0x9e3779b1) ^ Math.imul(token + 0x7f4a7c15, 0x85ebca77);
  h ^= h >>> 15;
  h = Math.imul(h, 0x2c1b3c6d);
  h ^= h >>> 12;
  return h >>> 0;
}

export class NgramTrie {
  /** Parent node and last token of every node (index = node id); node 0 is the root. */
  private parents: Int32Array<ArrayBuffer>;
  private tokens: Int32Array<ArrayBuffer>;
  private depths: Uint8Array<ArrayBuffer>;
  private count = 1;
  /** Hash slots holding node ids (EMPTY when free). */
  private slots: Int32Array<ArrayBuffer>;

  /** `expectedNodes` presizes the arrays (an upper bound avoids regrowing). */
  constructor(expectedNodes = 1024) {
    const nodes = Math.max(16, expectedNodes + 1);
    this.parents = new Int32Array(nodes);
    this.tokens = new Int32Array(nodes);
    this.depths = new Uint8Array(nodes);
    let capacity = 2048;
    while (nodes > capacity * MAX_LOAD) capacity *= 2;
    this.slots = new Int32Array(capacity).fill(EMPTY);
  }

  get nodeCount(): number {
    return this.count;
  }

  /** Order of the n-gram a node stands for (0 for the root). */
  depth(node: number): number {
    return this.depths[node];
  }

  /** The node for prefix + token, or -1 when that n-gram was never inserted. */
  child(parent: number, token: number): number {
    const mask = this.slots.length - 1;
    for (let i = hashPair(parent, token) & mask; ; i = (i + 1) & mask) {
      const node = this.slots[i];
      if (node === EMPTY) return -1;
      if (this.parents[node] === parent && this.tokens[node] === token) return node;
    }
  }

  /** The node for prefix + token, created if absent. */
  insert(parent: number, token: number): number {
    const mask = this.slots.length - 1;
    let i = hashPair(parent, token) & mask;
    for (; ; i = (i + 1) & mask) {
      const node = this.slots[i];
      if (node === EMPTY) break;
      if (this.parents[node] === parent && this.tokens[node] === token) return node;
    }
    const node = this.append(parent, token);
    this.slots[i] = node;
    if (this.count > this.slots.length * MAX_LOAD) this.rehash(this.slots.length * 2);
    return node;
  }

  /** (parent, token) of nodes 1..count-1, for persistence. */
  edges(): { parents: Int32Array; tokens: Int32Array } {
    return { parents: this.parents.slice(1, this.count), tokens: this.tokens.slice(1, this.count) };
  }

  /** Rebuild from `edges()` output; node ids are preserved. */
  static fromEdges(parents: Int32Array, tokens: Int32Array): NgramTrie {
    if (parents.length !== tokens.length) {
      throw new Error(
        `n-gram trie: ${parents.length} parents but ${tokens.length} tokens; the index is corrupt`,
      );
    }
    const trie = new NgramTrie(parents.length);
    for (let i = 0; i < parents.length; i++) {
      if (parents[i] < 0 || parents[i] > i) {
        throw new Error(`n-gram trie: node ${i + 1} has parent ${parents[i]}; the index is corrupt`);
      }
      trie.append(parents[i], tokens[i]);
    }
    trie.rehash(trie.slots.length);
    return trie;
  }

  private append(parent: number, token: number): number {
    const node = this.count++;
    if (node >= this.parents.length) {
      this.parents = growInt32(this.parents, node + 1);
      this.tokens = growInt32(this.tokens, node + 1);
      const depths = new Uint8Array(this.parents.length);
      depths.set(this.depths);
      this.depths = depths;
    }
    this.parents[node] = parent;
    this.tokens[node] = token;
    this.depths[node] = this.depths[parent] + 1;
    return node;
  }

  private rehash(capacity: number): void {
    const slots = new Int32Array(capacity).fill(EMPTY);
    const mask = capacity - 1;
    for (let node = 1; node < this.count; node++) {
      let i = hashPair(this.parents[node], this.tokens[node]) & mask;
      while (slots[i] !== EMPTY) i = (i + 1) & mask;
      slots[i] = node;
    }
    this.slots = slots;
  }
}

/** Token strings -> dense ids. */
export class Vocabulary {
  private readonly ids = new Map<string, number>();
  readonly tokens: string[] = [];

  constructor(tokens: readonly string[] = []) {
    for (const token of tokens) this.intern(token);
  }

  id(token: string): number {
    return this.ids.get(token) ?? -1;
  }

  intern(token: string): number {
    let id = this.ids.get(token);
    if (id === undefined) {
      id = this.tokens.length;
      this.ids.set(token, id);
      this.tokens.push(token);
    }
    return id;
  }
}
