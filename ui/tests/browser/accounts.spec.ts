import { expect, test } from "@playwright/test";
import { calls, failNext, openApp } from "./fixtures";

test.describe("the accounts screen", () => {
  test.beforeEach(async ({ page }) => openApp(page));

  test("groups accounts by environment, names sorted", async ({ page }) => {
    await expect(page.locator("h2.group")).toHaveText([/^Production/, /^UAT/]);
    await expect(page.getByTestId("account-row")).toHaveCount(4);
  });

  test("search narrows the list by name, environment or identity", async ({ page }) => {
    await page.getByTestId("search").fill("trader prod");
    await expect(page.getByTestId("account-row")).toHaveCount(1);
    await expect(page.getByTestId("account-row")).toHaveAttribute("data-account-id", "te-prod");
    await page.getByTestId("search").fill("nothing like this");
    await expect(page.getByTestId("no-match")).toBeVisible();
  });

  test("the keyboard selects with the arrows and copies a Bearer token with Enter", async ({
    page,
  }) => {
    await page.keyboard.press("/");
    await expect(page.getByTestId("search")).toBeFocused();
    await page.keyboard.press("ArrowDown");
    await page.keyboard.press("ArrowDown");
    const selected = page.locator('[data-testid="account-row"][data-selected="true"]');
    await expect(selected).toHaveAttribute("data-account-id", "te-prod");
    await page.keyboard.press("Enter");
    await expect(page.getByTestId("clipboard-bar")).toContainText(
      "Bearer token of TE Production copied",
    );
    const copy = (await calls(page)).find((c) => c.command === "copy_token");
    expect(copy?.args).toEqual({ id: "te-prod", format: "bearer" });
  });

  test("the clipboard bar counts down and Clear now clears it", async ({ page }) => {
    await page.getByTestId("copy").first().click();
    await expect(page.getByTestId("clipboard-countdown")).toHaveText(/^(29|30)$/);
    await page.getByTestId("clear-now").click();
    await expect(page.getByTestId("clipboard-bar")).toContainText("no longer holds");
    expect((await calls(page)).some((c) => c.command === "clear_clipboard")).toBe(true);
  });

  test("a failed copy says why in words, with the backend's detail", async ({ page }) => {
    await failNext(page, "copy_token", {
      code: "unreachable",
      message: "cannot reach https://prive.example/login: connection refused",
    });
    await page.getByTestId("copy").first().click();
    await expect(page.getByTestId("copy-note").first()).toHaveText(
      "Server unreachable: cannot reach https://prive.example/login: connection refused",
    );
  });

  test("the panel copies each format and removes an account only after confirmation", async ({
    page,
  }) => {
    const row = page.locator('[data-account-id="prive-uat"]');
    await row.getByTestId("account-open").click();
    for (const format of ["raw", "header", "curl"]) {
      await row.getByTestId(`copy-${format}`).click();
    }
    const formats = (await calls(page))
      .filter((c) => c.command === "copy_token")
      .map((c) => c.args.format);
    expect(formats).toEqual(["raw", "header", "curl"]);
    await row.getByTestId("remove").click();
    await expect(row).toContainText("Remove Privé UAT and its password and tokens");
    await row.getByTestId("remove-confirm").click();
    await expect(page.locator('[data-account-id="prive-uat"]')).toHaveCount(0);
    await expect(page.getByTestId("removed-notice")).toContainText(
      "Removed Privé UAT and its secrets.",
    );
  });

  test("a removal whose server could not revoke the token says so, and the account is gone", async ({
    page,
  }) => {
    await page.evaluate(() => {
      window.tokenvaultMock.state.revocation["te-uat"] = {
        name: "TE UAT",
        server: "failed",
        detail: "the server answered HTTP 500",
      };
    });
    const row = page.locator('[data-account-id="te-uat"]');
    await row.getByTestId("account-open").click();
    await row.getByTestId("remove").click();
    await row.getByTestId("remove-confirm").click();
    await expect(page.locator('[data-account-id="te-uat"]')).toHaveCount(0);
    const notice = page.getByTestId("removed-notice");
    await expect(notice).toHaveAttribute("data-status", "failed");
    await expect(notice).toContainText(
      "could not be told to revoke its token: the server answered HTTP 500",
    );
    await notice.getByRole("button", { name: "Dismiss" }).click();
    await expect(notice).toHaveCount(0);
  });

  test("a token's countdown turns critical in its last minute", async ({ page }) => {
    const clock = page.locator('[data-account-id="te-prod"] .clock');
    await expect(clock).toHaveAttribute("data-urgency", "critical");
    await expect(page.locator('[data-account-id="pt-ops"] .clock')).toHaveAttribute(
      "data-urgency",
      "calm",
    );
  });
});

test.describe("calls from an account's panel", () => {
  test.beforeEach(async ({ page }) => openApp(page));

  test("a one-time token is shown as valid with its identity, or not valid with the reason", async ({
    page,
  }) => {
    const row = page.locator('[data-account-id="te-uat"]');
    await row.getByTestId("account-open").click();
    await row.getByTestId("ott-input").fill("ott-good");
    await row.getByTestId("ott-verify").click();
    await expect(row.getByTestId("ott-verdict")).toHaveText("Valid — issued to bo.trader");
    await row.getByTestId("ott-input").fill("ott-used");
    await row.getByTestId("ott-verify").click();
    await expect(row.getByTestId("ott-verdict")).toHaveText("Not valid: already used");
  });

  test("the local proxy is switched on with its address to copy, and off again", async ({
    page,
  }) => {
    const row = page.locator('[data-account-id="te-uat"]');
    await row.getByTestId("account-open").click();
    await expect(row.getByTestId("proxy-url")).toHaveCount(0);
    await row.getByTestId("proxy-switch").check();
    await expect(row.getByTestId("proxy-url")).toHaveValue(/^http:\/\/127\.0\.0\.1:\d+$/);
    await row.getByTestId("proxy-switch").uncheck();
    await expect(row.getByTestId("proxy-url")).toHaveCount(0);
    const switched = (await calls(page)).filter((c) => c.command === "set_account_proxy");
    expect(switched.map((c) => c.args)).toEqual([
      { id: "te-uat", on: true },
      { id: "te-uat", on: false },
    ]);
  });

  test("a proxy whose port is taken says so and stays off", async ({ page }) => {
    await failNext(page, "set_account_proxy", {
      code: "port_unavailable",
      message: "cannot listen on 127.0.0.1:8411: Address already in use (os error 98)",
    });
    const row = page.locator('[data-account-id="te-uat"]');
    await row.getByTestId("account-open").click();
    await row.getByTestId("proxy-switch").click();
    await expect(row.getByTestId("proxy-error")).toContainText("The local proxy cannot listen");
    await expect(row.getByTestId("proxy-switch")).not.toBeChecked();
    await expect(row.getByTestId("proxy-url")).toHaveCount(0);
  });

  test("the validate call names whose token it is", async ({ page }) => {
    const row = page.locator('[data-account-id="te-uat"]');
    await row.getByTestId("account-open").click();
    await row.getByTestId("validate").click();
    await expect(row.getByTestId("validate-verdict")).toHaveText(
      "Valid — the token of te-uat@example.com",
    );
  });

  test("a profile without validate, OTT or private tokens shows none of them", async ({ page }) => {
    const row = page.locator('[data-account-id="prive-uat"]');
    await row.getByTestId("account-open").click();
    await expect(row.getByTestId("account-panel")).toContainText("logs in again (no refresh)");
    await expect(row.getByTestId("validate")).toHaveCount(0);
    await expect(row.getByTestId("ott-input")).toHaveCount(0);
    await expect(row.getByTestId("pt-label")).toHaveCount(0);
  });

  test("a private token is shown once when created, and revoked after confirmation", async ({
    page,
  }) => {
    const row = page.locator('[data-account-id="pt-ops"]');
    await row.getByTestId("account-open").click();
    await expect(row.getByTestId("pt-empty")).toBeVisible();
    await row.getByTestId("pt-label").fill("nightly export");
    await row.getByTestId("pt-lifetime").selectOption({ label: "7 days" });
    await row.getByTestId("pt-create").click();
    await expect(row.getByTestId("pt-created-value")).toHaveText("private-token-value-1");
    await expect(row.getByTestId("pt-row")).toContainText("nightly export");
    await expect(row.getByTestId("pt-reminder")).toBeVisible();
    await row.getByTestId("pt-revoke").click();
    await row.getByTestId("pt-revoke-confirm").click();
    await expect(row.getByTestId("pt-empty")).toBeVisible();
    await expect(row.getByTestId("pt-created")).toHaveCount(0);
  });

  test("a private token needs a label", async ({ page }) => {
    const row = page.locator('[data-account-id="pt-ops"]');
    await row.getByTestId("account-open").click();
    await failNext(page, "create_private_token", {
      code: "invalid_private_token",
      message: "give the token a label, so you know it when you revoke it",
      field: "label",
    });
    await row.getByTestId("pt-create").click();
    await expect(row.getByTestId("pt-error")).toContainText("give the token a label");
  });
});

test.describe("the quick switcher", () => {
  test.beforeEach(async ({ page }) => openApp(page));

  test("opens on the global shortcut; typing a name and Enter copies its Bearer token", async ({
    page,
  }) => {
    await page.evaluate(() => window.tokenvaultMock.openSwitcher());
    await expect(page.getByTestId("switcher-input")).toBeFocused();
    await page.keyboard.type("te prod");
    await expect(page.getByTestId("switcher-item")).toHaveCount(1);
    await page.keyboard.press("Enter");
    await expect(page.getByTestId("switcher")).toHaveCount(0);
    await expect(page.getByTestId("clipboard-bar")).toContainText("TE Production");
    const copy = (await calls(page)).find((c) => c.command === "copy_token");
    expect(copy?.args).toEqual({ id: "te-prod", format: "bearer" });
  });

  test("opens with Ctrl+K, moves with the arrows, and closes with Escape", async ({ page }) => {
    await page.keyboard.press("Control+k");
    await expect(page.getByTestId("switcher-item")).toHaveCount(4);
    await page.keyboard.press("ArrowDown");
    await expect(page.locator(".switcher button.chosen")).toHaveAttribute(
      "data-account-id",
      "pt-ops",
    );
    await page.keyboard.press("Escape");
    await expect(page.getByTestId("switcher")).toHaveCount(0);
  });
});

test.describe("a vault of 1,000 accounts", () => {
  test.beforeEach(async ({ page }) => {
    await page.goto("/?accounts=1000");
    await page.getByTestId("account-row").first().waitFor();
  });

  test("only the rows near the screen exist, and scrolling brings the others", async ({ page }) => {
    await expect(page.getByTestId("accounts")).toHaveAttribute("data-matches", "1000");
    expect(await page.getByTestId("account-row").count()).toBeLessThan(30);
    await page.evaluate(() => window.scrollTo(0, document.documentElement.scrollHeight));
    // Groups sort Demo, Production, Staging, UAT; the last UAT account is the 997th made.
    await expect(page.locator('[data-account-id="acct-996"]')).toBeInViewport();
    expect(await page.getByTestId("account-row").count()).toBeLessThan(30);
  });

  test("the arrows walk past the screen's end, and Enter copies the row they reached", async ({
    page,
  }) => {
    await page.keyboard.press("/");
    for (let i = 0; i < 20; i++) await page.keyboard.press("ArrowDown");
    // The Demo group holds every fourth account from the fourth: its 20th is acct-79.
    const selected = page.locator('[data-testid="account-row"][data-selected="true"]');
    await expect(selected).toHaveAttribute("data-account-id", "acct-79");
    await expect(selected).toBeInViewport();
    await page.keyboard.press("Enter");
    await expect(page.getByTestId("clipboard-bar")).toContainText(
      "Bearer token of Account 0079 copied",
    );
  });

  test("search finds one account among 1,000, and clearing it brings them all back", async ({
    page,
  }) => {
    await page.getByTestId("search").fill("Account 0999");
    await expect(page.getByTestId("account-row")).toHaveCount(1);
    await expect(page.getByTestId("account-row")).toHaveAttribute("data-account-id", "acct-999");
    await page.getByTestId("search").fill("");
    await expect(page.getByTestId("accounts")).toHaveAttribute("data-matches", "1000");
    await expect(page.locator('[data-account-id="acct-3"]')).toBeInViewport();
  });

  test("compact rows show at least 15 accounts on a 720 px window", async ({ page }) => {
    await page.getByTestId("tab-settings").click();
    await page.getByTestId("s-density-compact").check();
    await page.getByTestId("s-save").click();
    await expect(page.getByTestId("s-saved")).toBeVisible();
    await page.getByTestId("tab-accounts").click();
    await expect(page.getByTestId("accounts")).toHaveAttribute("data-density", "compact");
    const whole = await page.getByTestId("account-row").evaluateAll(
      (rows) =>
        rows.filter((row) => {
          const box = row.getBoundingClientRect();
          return box.top >= 0 && box.bottom <= window.innerHeight;
        }).length,
    );
    expect(whole).toBeGreaterThanOrEqual(15);
  });
});
