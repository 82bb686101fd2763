/**
 * Duplicate keys in a JSON document. JSON.parse keeps the last of them silently; the
 * apiserver's strict decoding refuses them (`strict decoding error: duplicate field
 * "spec.selector.app"`), so the request text is scanned once before it is parsed.
 */

/** Paths (`spec.ports[0].name`) of keys that appear twice in one object; [] for invalid JSON. */
export function findDuplicateJsonKeys(text: string): string[] {
  const found: string[] = [];
  let i = 0;

  const skipSpace = (): void => {
    while (i < text.length && ' \t\r\n'.includes(text[i] as string)) i++;
  };
  const readString = (): string => {
    const start = i;
    i++; // opening quote
    while (i < text.length && text[i] !== '"') i += text[i] === '\\' ? 2 : 1;
    i++; // closing quote
    return JSON.parse(text.slice(start, i)) as string;
  };
  const join = (path: string, key: string) => (path ? `${path}.${key}` : key);

  const value = (path: string): void => {
    skipSpace();
    const c = text[i];
    if (c === '{') {
      i++;
      const seen = new Set<string>();
      skipSpace();
      if (text[i] === '}') {
        i++;
        return;
      }
      for (;;) {
        skipSpace();
        const key = readString();
        if (seen.has(key)) found.push(join(path, key));
        seen.add(key);
        skipSpace();
        i++; // colon
        value(join(path, key));
        skipSpace();
        if (text[i++] === '}') return;
      }
    } else if (c === '[') {
      i++;
      skipSpace();
      if (text[i] === ']') {
        i++;
        return;
      }
      for (let n = 0; ; n++) {
        value(`${path}[${n}]`);
        skipSpace();
        if (text[i++] === ']') return;
      }
    } else if (c === '"') {
      readString();
    } else {
      while (i < text.length && !',}] \t\r\n'.includes(text[i] as string)) i++;
    }
  };

  try {
    JSON.parse(text);
    value('');
  } catch {
    return [];
  }
  return found;
}
