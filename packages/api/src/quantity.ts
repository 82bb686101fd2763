/**
 * Kubernetes resource quantities ("64Mi", "250m", "1", "1Gi", "0.5", "1e3"), parsed to
 * plain numbers: `parseQuantity` gives base units (bytes, cores), `milliValue` the
 * millicores, both rounded up like resource.Quantity's Value/MilliValue.
 */

/** The format every quantity must match, as the apiserver words it. */
export const quantityRegex = '^([+-]?[0-9.]+)([eEinumkKMGTP]*[-+]?[0-9]*)$';
/** The decoding error text for a malformed quantity. */
export const quantityFormatMessage = `quantities must match the regular expression '${quantityRegex}'`;

/** A malformed quantity string. */
export class QuantityError extends Error {
  override name = 'QuantityError';
  readonly code = 'InvalidQuantity';
  constructor(readonly input: string) {
    super(quantityFormatMessage);
  }
}

const binary: Record<string, number> = { Ki: 2 ** 10, Mi: 2 ** 20, Gi: 2 ** 30, Ti: 2 ** 40, Pi: 2 ** 50, Ei: 2 ** 60 };
const decimal: Record<string, number> = {
  n: 1e-9,
  u: 1e-6,
  m: 1e-3,
  '': 1,
  k: 1e3,
  M: 1e6,
  G: 1e9,
  T: 1e12,
  P: 1e15,
  E: 1e18,
};

/** The value of a quantity in base units; throws QuantityError when malformed. Numbers pass through. */
export function parseQuantity(q: string | number): number {
  if (typeof q === 'number') {
    if (!Number.isFinite(q)) throw new QuantityError(String(q));
    return q;
  }
  const m = /^([+-]?(?:[0-9]+(?:\.[0-9]*)?|\.[0-9]+))(.*)$/.exec(q);
  if (!m) throw new QuantityError(q);
  const n = Number(m[1]);
  const suffix = m[2]!;
  let scale: number | undefined = binary[suffix] ?? decimal[suffix];
  if (scale === undefined) {
    const exp = /^[eE]([-+]?[0-9]+)$/.exec(suffix);
    if (!exp) throw new QuantityError(q);
    scale = 10 ** Number(exp[1]);
  }
  return n * scale;
}

/** True when `q` parses as a quantity. */
export function isQuantity(q: unknown): boolean {
  if (typeof q !== 'string' && typeof q !== 'number') return false;
  try {
    parseQuantity(q);
    return true;
  } catch {
    return false;
  }
}

/** Rounds up at 1e-9 precision so 0.1+0.2 style noise does not add a unit. */
function ceil(x: number): number {
  return Math.ceil(Number(x.toPrecision(15)));
}

/** The quantity in whole base units, rounded up (bytes for memory). */
export function quantityValue(q: string | number): number {
  return ceil(parseQuantity(q));
}

/** The quantity in thousandths, rounded up (millicores for cpu). */
export function milliValue(q: string | number): number {
  return ceil(parseQuantity(q) * 1000);
}
