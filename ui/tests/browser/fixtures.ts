// Helpers for the browser tests: open the app over the fake backend, steer it, read it.
import type { Page } from "@playwright/test";

/** Opens the app and waits for the first account list. */
export async function openApp(page: Page): Promise<void> {
  await page.goto("/");
  await page.getByTestId("account-row").first().waitFor();
}

/** The commands the window called, in order. */
export function calls(page: Page): Promise<{ command: string; args: Record<string, unknown> }[]> {
  return page.evaluate(() => window.tokenvaultMock.state.calls) as Promise<
    { command: string; args: Record<string, unknown> }[]
  >;
}

/** Makes the next call of `command` fail with this failure. */
export function failNext(
  page: Page,
  command: string,
  failure: { code: string; message: string; field?: string },
): Promise<void> {
  return page.evaluate(
    ([c, f]) => {
      window.tokenvaultMock.state.failNext[c as string] = f as never;
    },
    [command, failure] as const,
  );
}
