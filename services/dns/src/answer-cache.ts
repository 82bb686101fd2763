/**
 * Encoded responses by query bytes (everything after the ID, plus the transport), valid
 * for one zone generation: the same bytes against the same zone always get the same
 * answer, so a hit only needs the ID patched in. The cache empties when the zone changes
 * or when it is full, which bounds its memory however varied the queries are.
 */

/** A cached response and what the query log says about it. */
export interface CachedAnswer {
  response: Buffer;
  name: string;
  type: string;
  rcode: string;
  answers?: string[];
}

/** Responses for one zone generation. */
export interface AnswerCache {
  get(generation: unknown, key: string): CachedAnswer | undefined;
  set(generation: unknown, key: string, answer: CachedAnswer): void;
  size(): number;
}

/** Creates a cache of at most `maxEntries` responses. */
export function createAnswerCache(maxEntries: number): AnswerCache {
  let current: unknown;
  const entries = new Map<string, CachedAnswer>();
  const align = (generation: unknown) => {
    if (generation === current) return;
    entries.clear();
    current = generation;
  };
  return {
    get(generation, key) {
      align(generation);
      return entries.get(key);
    },
    set(generation, key, answer) {
      align(generation);
      if (maxEntries <= 0) return;
      if (entries.size >= maxEntries) entries.clear();
      entries.set(key, answer);
    },
    size: () => entries.size,
  };
}
