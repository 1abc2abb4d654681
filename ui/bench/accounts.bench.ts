// Benchmark: the accounts screen with 1,000 accounts, in Debian's Chromium over the Vite dev
// server in browser-test mode (the backend faked). Prints figures; asserts nothing that
// depends on speed.   npm run bench   (ACCOUNTS=N for another count)
import { test } from "@playwright/test";

const COUNT = Number(process.env.ACCOUNTS ?? 1000);

test(`the accounts screen with ${COUNT} accounts`, async ({ page, browser }) => {
  const URL = `/?accounts=${COUNT}`;
  const figures: Record<string, string> = {};

  // Warm the dev server's module graph, then measure a clean load.
  await page.goto(URL);
  await page
    .getByTestId("account-row")
    .nth(COUNT - 1)
    .waitFor({ state: "attached" });
  const started = Date.now();
  await page.reload();
  await page
    .getByTestId("account-row")
    .nth(COUNT - 1)
    .waitFor({ state: "attached" });
  figures["first render of all rows (load to last row)"] = `${Date.now() - started} ms`;

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

  // Search: from typing to the filtered list on screen.
  const search = page.getByTestId("search");
  const t1 = Date.now();
  await search.fill(`Account ${String(COUNT - 1).padStart(4, "0")}`);
  await page.getByTestId("account-row").first().waitFor();
  await page.waitForFunction(
    () => document.querySelectorAll('[data-testid="account-row"]').length === 1,
  );
  figures["search to one match"] = `${Date.now() - t1} ms`;
  const t2 = Date.now();
  await search.fill("");
  await page.waitForFunction(
    (n) => document.querySelectorAll('[data-testid="account-row"]').length === n,
    COUNT,
  );
  figures["clearing the search, back to all rows"] = `${Date.now() - t2} ms`;

  const heap = await page.evaluate(
    () =>
      (performance as unknown as { memory?: { usedJSHeapSize: number } }).memory?.usedJSHeapSize ??
      0,
  );
  if (heap > 0) figures["JS heap after all that"] = `${(heap / 1048576).toFixed(1)} MiB`;

  console.log(`accounts screen with ${COUNT} accounts (Chromium ${browser.version()}):`);
  for (const [what, value] of Object.entries(figures)) console.log(`  ${what}: ${value}`);
});
