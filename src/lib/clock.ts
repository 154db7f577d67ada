/** Time is passed in, so pure code can be tested with a fixed clock. */
export interface Clock {
  now(): Date;
}
export const systemClock: Clock = { now: () => new Date() };

export const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));
