/** The version of the einsight package, for reports and files einsight writes. */
import { readFileSync } from 'node:fs';

export function packageVersion(): string {
  try {
    return (JSON.parse(readFileSync(require.resolve('../../package.json'), 'utf8')) as { version: string }).version;
  } catch {
    return '0.0.0';
  }
}
