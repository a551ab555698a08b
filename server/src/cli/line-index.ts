/** Offsets to 1-based lines and columns (UTF-16 code units, as editors and SARIF count them). */
import { lastAtOrBelow } from '../core/sorted';

export class LineIndex {
  private readonly starts: number[] = [0];

  constructor(text: string) {
    for (let i = text.indexOf('\n'); i >= 0; i = text.indexOf('\n', i + 1)) this.starts.push(i + 1);
  }

  position(offset: number): { line: number; column: number } {
    const line = lastAtOrBelow(this.starts, offset);
    return { line: line + 1, column: offset - this.starts[line] + 1 };
  }
}
