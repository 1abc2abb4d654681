// Benchmark: the accounts screen with 1,000 accounts, in Debian's Chromium over the Vite dev
// server in browser-test mode (the backend faked). Prints figures; asserts nothing that
// depends on speed.   npm run bench   (ACCOUNTS=N for another count)
import { test } from "@playwright/test";
import { searchLatency } from "./search-latency.js";

const COUNT = Number(process.env.ACCOUNTS ?? 1000);

test(`the accounts screen with ${COUNT} accounts`, async ({ page, browser }) => {
  const URL = `/?accounts=${COUNT}`;
  const figures: Record<string, string> = {};

  // Warm the server, then measure a clean load: to the list holding every account, its
  // first screenful drawn (the rows off screen are not rendered at all).
  const listed = `[data-testid="accounts"][data-matches="${COUNT}"]`;
  await page.goto(URL);
  await page.locator(listed).waitFor();
  const started = Date.now();
  await page.reload();
  await page.locator(listed).waitFor();
  await page.getByTestId("account-row").first().waitFor();
  figures["load to the first screenful of rows"] = `${Date.now() - started} ms`;
  figures["rows in the page"] = String(await page.getByTestId("account-row").count());

  // Frames over 5 s of ticking countdowns: the longest gap between frames.
  const frames = await page.evaluate(
    () =>
      new Promise<number[]>((resolve) => {
        const gaps: number[] = [];
        let last = performance.now();
        const end = last + 5000;
        const frame = (t: number) => {
          gaps.push(t - last);
          last = t;
          if (t < end) requestAnimationFrame(frame);
          else resolve(gaps);
        };
        requestAnimationFrame(frame);
      }),
  );
  frames.sort((a, b) => a - b);
  const pick = (q: number) => frames[Math.min(frames.length - 1, Math.floor(q * frames.length))];
  figures["frame gap while ticking, median / p99 / max"] =
    `${pick(0.5)?.toFixed(1)} / ${pick(0.99)?.toFixed(1)} / ${frames.at(-1)?.toFixed(1)} ms`;

  // One tick: time the shared clock's update of every countdown.
  const tick = await page.evaluate(
    () =>
      new Promise<number>((resolve) => {
        const first = document.querySelector('[data-testid="countdown"]');
        const before = first?.textContent;
        const t0 = performance.now();
        const poll = () => {
          if (first?.textContent !== before) {
            const seen = performance.now();
            requestAnimationFrame(() => resolve(performance.now() - seen));
          } else requestAnimationFrame(poll);
        };
        poll();
        void t0;
      }),
  );
  figures["one tick, DOM updated to next frame"] = `${tick.toFixed(1)} ms`;

  // Search: from the keystroke's input event to the filtered list in the page and drawn,
  // measured in the page (no round trip to the test runner counted). Medians of 5.
  const medians: Record<string, { dom: number[]; frame: number[] }> = {
    "search to one match": { dom: [], frame: [] },
    "clearing the search, back to all rows": { dom: [], frame: [] },
  };
  const last = `Account ${String(COUNT - 1).padStart(4, "0")}`;
  for (let round = 0; round < 5; round++) {
    for (const [what, wanted] of [
      ["search to one match", { text: last, matches: 1 }],
      ["clearing the search, back to all rows", { text: "", matches: COUNT }],
    ] as const) {
      const took = await page.evaluate(searchLatency, wanted);
      medians[what]?.dom.push(took.dom);
      medians[what]?.frame.push(took.frame);
    }
  }
  const median = (values: number[]) => values.sort((a, b) => a - b)[values.length >> 1] ?? NaN;
  for (const [what, { dom, frame }] of Object.entries(medians)) {
    figures[what] =
      `${median(dom).toFixed(1)} ms in the page, ${median(frame).toFixed(1)} ms drawn`;
  }

  const heap = await page.evaluate(
    () =>
      (performance as unknown as { memory?: { usedJSHeapSize: number } }).memory?.usedJSHeapSize ??
      0,
  );
  if (heap > 0) figures["JS heap after all that"] = `${(heap / 1048576).toFixed(1)} MiB`;

  console.log(`accounts screen with ${COUNT} accounts (Chromium ${browser.version()}):`);
  for (const [what, value] of Object.entries(figures)) console.log(`  ${what}: ${value}`);
});
