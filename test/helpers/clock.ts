/**
 * A clock for the server's per-process caches that a test moves forward, so "another instance
 * changed it; after the cache lifetime this one sees it" needs no waiting. It follows real time
 * plus what the test added, or, given a start, stands still except for what the test adds.
 */
export class ManualClock {
  readonly #start: number | undefined;
  #offsetMs = 0;

  constructor(start?: number) {
    this.#start = start;
  }

  readonly now = (): number => (this.#start ?? Date.now()) + this.#offsetMs;

  advance(ms: number): void {
    this.#offsetMs += ms;
  }
}
