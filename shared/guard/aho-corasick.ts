/**
 * A small Aho–Corasick automaton: finds every occurrence of every pattern in one left-to-right pass, so the
 * cost of scanning does not grow with the number of terms. ASCII letters are folded to lower case on both
 * sides (one code unit to one code unit, so offsets are unchanged); everything else is matched exactly.
 */

/** One occurrence: pattern index and its [start, end) span in the searched text. */
export interface AcMatch {
  pattern: number;
  start: number;
  end: number;
}

interface AcNode {
  next: Map<number, AcNode>;
  fail: AcNode | null;
  /** Pattern indices ending here, including those reached through failure links. */
  out: number[];
}

const fold = (c: number): number => (c >= 0x41 && c <= 0x5a ? c + 32 : c);
const newNode = (): AcNode => ({ next: new Map(), fail: null, out: [] });

/** Compiled automaton over a fixed list of non-empty patterns. */
export class AhoCorasick {
  private readonly root: AcNode = newNode();
  private readonly lengths: number[];

  constructor(patterns: readonly string[]) {
    this.lengths = patterns.map((p) => p.length);
    patterns.forEach((p, index) => {
      if (p.length === 0) throw new Error('AhoCorasick: empty pattern');
      let node = this.root;
      for (let i = 0; i < p.length; i++) {
        const c = fold(p.charCodeAt(i));
        let child = node.next.get(c);
        if (!child) {
          child = newNode();
          node.next.set(c, child);
        }
        node = child;
      }
      node.out.push(index);
    });
    // Breadth-first: a node's failure link is the longest proper suffix that is also a path from the root.
    const queue: AcNode[] = [];
    for (const child of this.root.next.values()) {
      child.fail = this.root;
      queue.push(child);
    }
    for (let q = 0; q < queue.length; q++) {
      const node = queue[q];
      if (!node) break;
      for (const [c, child] of node.next) {
        let f = node.fail;
        while (f && !f.next.has(c)) f = f.fail;
        child.fail = f?.next.get(c) ?? this.root;
        child.out.push(...child.fail.out);
        queue.push(child);
      }
    }
  }

  /** All occurrences in `text`, overlapping ones included, in order of their end offset. */
  search(text: string): AcMatch[] {
    const found: AcMatch[] = [];
    let node = this.root;
    for (let i = 0; i < text.length; i++) {
      const c = fold(text.charCodeAt(i));
      let next = node.next.get(c);
      while (!next && node.fail) {
        node = node.fail;
        next = node.next.get(c);
      }
      node = next ?? this.root;
      for (const pattern of node.out) {
        found.push({ pattern, start: i + 1 - (this.lengths[pattern] ?? 0), end: i + 1 });
      }
    }
    return found;
  }
}
