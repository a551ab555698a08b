/**
 * Seeded float32 inputs: the same seed gives the same data in the runner and in tests, so
 * numbers can be reproduced and checked against a reference.
 */
import { seededRandom } from '../core/random';

/** Uniform values in [-1, 1) from mulberry32, one independent stream per input index. */
export function seededInput(seed: number, index: number, count: number): Float32Array {
  const random = seededRandom((Math.imul(seed ^ 0x9e3779b9, 0x85ebca6b) + Math.imul(index + 1, 0xc2b2ae35)) >>> 0);
  const data = new Float32Array(count);
  for (let i = 0; i < count; i++) data[i] = random() * 2 - 1;
  return data;
}
