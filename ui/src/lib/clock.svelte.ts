// One clock for every countdown: a single timer, re-armed on each whole second,
// so all rows tick together and none keeps its own interval.

let now = $state(Date.now());
let timer: ReturnType<typeof setTimeout> | undefined;

function tick(): void {
  now = Date.now();
  timer = setTimeout(tick, 1000 - (now % 1000) + 5);
}

/** Starts the shared clock (idempotent) and returns a reader of the current instant. */
export function sharedClock(): { readonly now: number } {
  if (timer === undefined) tick();
  return {
    get now() {
      return now;
    },
  };
}
