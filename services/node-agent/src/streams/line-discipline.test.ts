import { describe, expect, it } from 'vitest';
import { createLineDiscipline } from './line-discipline.js';

function run(input: string) {
  const echo: string[] = [];
  const lines: string[] = [];
  let eof = 0;
  const ld = createLineDiscipline({
    echo: (d) => echo.push(d.toString()),
    input: (d) => lines.push(d.toString()),
    eof: () => eof++,
  });
  ld.receive(Buffer.from(input));
  return { echo: echo.join(''), lines, eof };
}

describe('createLineDiscipline', () => {
  it('echoes typing and hands over a line on Enter (CR or LF)', () => {
    expect(run('ls\r')).toEqual({ echo: 'ls\n', lines: ['ls\n'], eof: 0 });
    expect(run('a\nb\n').lines).toEqual(['a\n', 'b\n']);
  });

  it('edits the line with backspace and ^U', () => {
    const r = run('lx\x7fs\r');
    expect(r.lines).toEqual(['ls\n']);
    expect(r.echo).toBe('lx\b \bs\n');
    expect(run('abc\x15d\r').lines).toEqual(['d\n']);
    expect(run('é\x7f\r').lines).toEqual(['\n']);
  });

  it('turns ^D on an empty line into EOF and flushes a non-empty one', () => {
    expect(run('\x04')).toMatchObject({ eof: 1, lines: [] });
    expect(run('ab\x04')).toMatchObject({ eof: 0, lines: ['ab'] });
  });

  it('drops escape sequences such as arrow keys', () => {
    expect(run('a\x1b[Ab\x1bOB\r').lines).toEqual(['ab\n']);
  });
});
