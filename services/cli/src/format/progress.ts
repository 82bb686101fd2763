/** Kubernetes-tool style progress on stderr: numbered steps and indented detail lines. */

/** Prints progress of a multi-step command. */
export interface Progress {
  step(message: string): void;
  detail(message: string): void;
}

/** Creates a progress printer for `total` steps writing to `out` (stderr by default). */
export function createProgress(total: number, out: NodeJS.WritableStream = process.stderr): Progress {
  let n = 0;
  return {
    step(message) {
      n++;
      out.write(`[${n}/${total}] ${message}\n`);
    },
    detail(message) {
      out.write(`      ${message}\n`);
    },
  };
}
