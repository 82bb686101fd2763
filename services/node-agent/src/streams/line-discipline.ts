/**
 * A pty's canonical mode in miniature, for attaching a raw-mode terminal (`kubectl
 * attach -it`, `kubectl run -it`) to a container whose stdin is a FIFO: echo, Enter
 * (CR) ends a line, backspace and ^U edit it, ^D on an empty line is EOF, and escape
 * sequences (arrow keys) are dropped. Pure: output and input go to the given callbacks.
 */

/** Where the discipline's results go. */
export interface LineDisciplineSinks {
  /** Bytes to show on the terminal. */
  echo(data: Buffer): void;
  /** A finished line (with its newline) for the program. */
  input(data: Buffer): void;
  /** The user asked for end of input. */
  eof(): void;
}

/** One terminal's line state. */
export interface LineDiscipline {
  receive(data: Uint8Array): void;
}

const CR = 0x0d;
const LF = 0x0a;
const ESC = 0x1b;

/** Creates a line discipline writing to `sinks`. */
export function createLineDiscipline(sinks: LineDisciplineSinks): LineDiscipline {
  let line: number[] = [];
  let sequence: 'none' | 'start' | 'csi' = 'none';

  function eraseLast(): void {
    if (line.length === 0) return;
    // Remove one UTF-8 character: continuation bytes are 10xxxxxx.
    let b = line.pop() as number;
    while ((b & 0xc0) === 0x80 && line.length > 0) b = line.pop() as number;
    sinks.echo(Buffer.from('\b \b'));
  }

  return {
    receive(data) {
      for (const byte of data) {
        if (sequence === 'start') {
          sequence = byte === 0x5b || byte === 0x4f ? 'csi' : 'none';
          continue;
        }
        if (sequence === 'csi') {
          if (byte >= 0x40 && byte <= 0x7e) sequence = 'none';
          continue;
        }
        if (byte === ESC) {
          sequence = 'start';
        } else if (byte === CR || byte === LF) {
          sinks.echo(Buffer.from('\n'));
          sinks.input(Buffer.from([...line, LF]));
          line = [];
        } else if (byte === 0x7f || byte === 0x08) {
          eraseLast();
        } else if (byte === 0x15) {
          while (line.length > 0) eraseLast();
        } else if (byte === 0x04) {
          if (line.length === 0) sinks.eof();
          else {
            sinks.input(Buffer.from(line));
            line = [];
          }
        } else if (byte === 0x03) {
          sinks.echo(Buffer.from('^C\n'));
          line = [];
        } else {
          line.push(byte);
          sinks.echo(Buffer.from([byte]));
        }
      }
    },
  };
}
