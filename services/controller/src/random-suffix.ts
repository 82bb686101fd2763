/**
 * Name suffixes as Kubernetes makes them: generateName's five random characters and the
 * pod-template-hash, both from the alphabet without vowels and look-alike digits
 * (k8s.io/apimachinery/pkg/util/rand), so no generated name spells a word.
 */
import { randomInt } from 'node:crypto';

const ALPHANUMS = 'bcdfghjklmnpqrstvwxz2456789';

/** `n` random characters from the safe alphabet (rand.String). */
export function randomSuffix(n = 5): string {
  let out = '';
  for (let i = 0; i < n; i++) out += ALPHANUMS[randomInt(ALPHANUMS.length)];
  return out;
}

/** Each character of `s` mapped into the safe alphabet (rand.SafeEncodeString). */
export function safeEncodeString(s: string): string {
  let out = '';
  for (let i = 0; i < s.length; i++) out += ALPHANUMS[s.charCodeAt(i) % ALPHANUMS.length];
  return out;
}
