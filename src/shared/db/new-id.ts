import { randomFillSync } from 'node:crypto';
import { V7Generator } from 'uuidv7';

// Random words drawn from the OS 256 at a time. uuidv7's default source refills 8 words
// at a time through crypto.getRandomValues, each refill a job of its own, and an id takes
// two to four words when the millisecond moves on: that was about 1% of an order's CPU.
const words = new Uint32Array(256);
let next = words.length;
const generator = new V7Generator({
  nextUint32() {
    if (next === words.length) {
      randomFillSync(words);
      next = 0;
    }
    return words[next++]!;
  },
});

/**
 * newId is a time-ordered UUID (v7), increasing within the process, so ids double as
 * stable cursors and keep B-tree inserts at the right edge.
 *
 * @example const id = newId()
 */
export function newId(): string {
  return generator.generate().toString();
}
