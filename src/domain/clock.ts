/**
 * Milliseconds since the epoch. Injected where tests must move time forward (the per-process
 * caches) instead of waiting for it; `Date.now` everywhere else.
 */
export type Clock = () => number;

export const systemClock: Clock = () => Date.now();
