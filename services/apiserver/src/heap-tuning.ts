/**
 * V8's heap sizing for the apiserver, set by the process itself so it holds wherever the
 * apiserver runs (`kemu up`, `kemu replay`, the benches) without flags from a launcher.
 *
 * What the apiserver keeps alive is small beside its RSS: at 10 000 pods (and 20 000
 * Events) the heap after a full GC is 54 MiB, the RSS 210–220 MiB, of which the heap
 * grown to 127–143 MiB was mostly garbage. V8 lets the old generation grow to up to 4
 * times what survived the last full GC before it collects again (its growing factor on a
 * machine with gigabytes to spare, for a process that allocates slowly, as an apiserver
 * between requests does), so the RSS at a given moment was anywhere between about
 * 1.5 and 4 times the live heap, set by when the last full GC happened (306 MiB in one
 * 10 000-pod growth run, 411 MiB in another). A fixed factor of 1 + HEAP_GROWING_PERCENT
 * / 100 bounds that garbage to a quarter of the live heap (plus V8's minimum step of
 * 8 MB) for a few more full GCs, which cost little at this heap size: most of the marking
 * runs concurrently, and each one is over a heap of tens of megabytes.
 *
 * The flag is read by V8 at every full GC, so setting it once the isolate runs takes
 * effect at the next GC. (The young generation's maximum, by contrast, is fixed when the
 * isolate starts and can only be set on the command line.)
 */
import { setFlagsFromString } from 'node:v8';

/** Growth of the old generation's limit over what survived the last full GC, in percent (V8 picks 10–300). */
export const HEAP_GROWING_PERCENT = 25;

/** Applies the apiserver's heap sizing to this process (call once, early in main). */
export function tuneHeap(): void {
  setFlagsFromString(`--heap-growing-percent=${HEAP_GROWING_PERCENT}`);
}
