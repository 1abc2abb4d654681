// Run inside the page (Playwright's evaluate, or WebDriver's executeAsyncScript in the app's
// own webview): types `text` into the accounts search as a keystroke would (one input event)
// and measures, from that event, until the list holds `matches` accounts in the page, and
// until the frame after that was drawn. Self-contained: it is sent to the page as source.

/**
 * @param {{ text: string, matches: number }} wanted
 * @returns {Promise<{ dom: number, frame: number }>} milliseconds
 */
export function searchLatency(wanted) {
  const search = /** @type {HTMLInputElement} */ (document.querySelector('[data-testid="search"]'));
  const listed = () =>
    document.querySelector('[data-testid="accounts"]')?.getAttribute("data-matches") ===
      String(wanted.matches) && document.querySelector('[data-testid="account-row"]') !== null;
  return new Promise((resolve) => {
    const start = performance.now();
    search.value = wanted.text;
    search.dispatchEvent(new Event("input", { bubbles: true }));
    /** @param {number} dom */
    const drawn = (dom) =>
      requestAnimationFrame(() =>
        setTimeout(() => resolve({ dom, frame: performance.now() - start }), 0),
      );
    /** @param {number} tries */
    const check = (tries) => {
      if (listed()) drawn(performance.now() - start);
      else if (tries > 0) queueMicrotask(() => check(tries - 1));
      else requestAnimationFrame(() => check(0));
    };
    check(50);
  });
}
