// One clock for every countdown: a single timer, re-armed on each whole second, so all rows
// tick together and none keeps its own interval. While the window is hidden or minimised the
// clock stops (nothing on screen to update, so nothing is rendered), and it reads the time
// again the moment the window shows.

let now = $state(Date.now());
let timer: ReturnType<typeof setTimeout> | undefined;
let started = false;

function tick(): void {
  now = Date.now();
  timer = setTimeout(tick, 1000 - (now % 1000) + 5);
}

function followVisibility(): void {
  clearTimeout(timer);
  timer = undefined;
  if (document.visibilityState !== "hidden") tick();
}

/** Starts the shared clock (idempotent) and returns a reader of the current instant. */
export function sharedClock(): { readonly now: number } {
  if (!started) {
    started = true;
    document.addEventListener("visibilitychange", followVisibility);
    followVisibility();
  }
  return {
    get now() {
      return now;
    },
  };
}
