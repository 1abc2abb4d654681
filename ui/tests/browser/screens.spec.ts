import { expect, test } from "@playwright/test";
import { calls, failNext, openApp } from "./fixtures";

test.describe("adding an account", () => {
  test.beforeEach(async ({ page }) => {
    await openApp(page);
    await page.getByTestId("add-account").click();
    await page.getByTestId("f-name").fill("TE desk two");
    await page.getByTestId("f-preset").selectOption("traderevolution");
    await page.getByTestId("f-base-url").fill("https://te.example");
    await page.getByTestId("f-identity").fill("bo.trader");
    await page.getByTestId("f-password").fill("s3cret");
  });

  test("Test login shows the outcome and the decoded token before anything is saved", async ({
    page,
  }) => {
    await page.getByTestId("test-login").click();
    await expect(page.getByTestId("login-preview")).toContainText("a refresh token came with it");
    await expect(page.getByTestId("verdict")).toHaveText(/^UNVERIFIED/);
    await expect(page.getByTestId("report-identity")).toHaveText("bo.trader");
    const sent = (await calls(page)).find((c) => c.command === "test_login");
    expect(sent?.args.form).toMatchObject({
      preset: "traderevolution",
      baseUrl: "https://te.example",
    });
    expect((await calls(page)).some((c) => c.command === "add_account")).toBe(false);
  });

  test("a refused login is shown at the password field", async ({ page }) => {
    await failNext(page, "add_account", {
      code: "credentials_rejected",
      message: "the server rejected the login for bo.trader (HTTP 401): Wrong login or password",
      field: "password",
    });
    await page.getByTestId("save-account").click();
    await expect(page.getByTestId("add-error")).toHaveAttribute(
      "data-code",
      "credentials_rejected",
    );
    await expect(page.locator(".field-error")).toHaveText(/Wrong login or password/);
    await expect(page.getByTestId("add-form")).toBeVisible();
  });

  test("a saved account appears in the list", async ({ page }) => {
    await page.getByTestId("save-account").click();
    await expect(page.locator('[data-account-id="te-desk-two"]')).toBeVisible();
  });

  test("a profile file can stand in for a preset", async ({ page }) => {
    await page.getByTestId("f-profile-file").setInputFiles({
      name: "acme.toml",
      mimeType: "text/plain",
      buffer: Buffer.from('id = "acme"\nname = "Acme"\n'),
    });
    await expect(page.getByTestId("f-preset")).toHaveValue("(file)");
    await page.getByTestId("test-login").click();
    const sent = (await calls(page)).find((c) => c.command === "test_login");
    expect(sent?.args.form).toMatchObject({ preset: null, profileFileName: "acme.toml" });
  });

  test("an API's private CA is given as a PEM file, and can be taken back", async ({ page }) => {
    await expect(page.getByTestId("f-ca")).toContainText("the system's trusted CAs");
    const pem = "-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n";
    await page.getByTestId("f-ca-file").setInputFiles({
      name: "te-private-ca.pem",
      mimeType: "application/x-pem-file",
      buffer: Buffer.from(pem),
    });
    await expect(page.getByTestId("f-ca-name")).toHaveText("te-private-ca.pem");
    await page.getByTestId("test-login").click();
    let sent = (await calls(page)).find((c) => c.command === "test_login");
    expect(sent?.args.form).toMatchObject({ caCertPem: pem });

    await page.getByTestId("f-ca-drop").click();
    await expect(page.getByTestId("f-ca")).toContainText("the system's trusted CAs");
    await page.getByTestId("save-account").click();
    sent = (await calls(page)).find((c) => c.command === "add_account");
    expect(sent?.args.form).toMatchObject({ caCertPem: null });
  });
});

test("a pasted curl command becomes the profile, shown decision by decision and editable", async ({
  page,
}) => {
  await openApp(page);
  await page.getByTestId("add-account").click();
  await page.getByTestId("f-name").fill("TE desk");
  await page.getByTestId("f-paste-curl").click();
  await page
    .getByTestId("f-curl")
    .fill(
      `curl -X POST 'https://te.example/auth/token' --data-raw '{"login":"bo.trader","password":"in-the-command"}'`,
    );
  await page.getByTestId("f-curl-read").click();
  await expect(page.getByTestId("curl-error")).toContainText("Type the password first");
  await page.getByTestId("f-password").fill("typed-password");
  await page.getByTestId("f-curl-read").click();
  await expect(page.getByTestId("curl-decisions")).toContainText("try 3 of at most 3");
  await expect(page.getByTestId("f-preset")).toHaveValue("(file)");
  await expect(page.getByTestId("f-base-url")).toHaveValue("https://te.example");
  await expect(page.getByTestId("f-identity")).toHaveValue("bo.trader");
  const drafted = (await calls(page)).find((c) => c.command === "draft_from_curl");
  expect(drafted?.args).toMatchObject({ password: "typed-password", form: { tryRefresh: true } });
  await page.getByTestId("f-curl-profile").fill('id = "curl-te"\nname = "edited"\n');
  await page.getByTestId("save-account").click();
  await expect(page.locator('[data-account-id="te-desk"]')).toBeVisible();
  const added = (await calls(page)).find((c) => c.command === "add_account");
  expect(added?.args.form).toMatchObject({
    preset: null,
    profileSource: 'id = "curl-te"\nname = "edited"\n',
    profileFileName: "the curl command",
  });
});

test("a client-credentials preset asks for a client id and secret instead of a user", async ({
  page,
}) => {
  await openApp(page);
  await page.getByTestId("add-account").click();
  await page.getByTestId("f-name").fill("Reports");
  await page.getByTestId("f-preset").selectOption("oauth2-client-credentials");
  await expect(page.getByTestId("f-identity")).toHaveCount(0);
  await expect(page.getByTestId("f-password")).toHaveCount(0);
  await page
    .getByTestId("f-base-url")
    .fill("https://idp.example/realms/ops/protocol/openid-connect");
  await page.getByTestId("f-client-id").fill("reporting-service");
  await page.getByTestId("f-client-secret").fill("client-s3cret");
  await page.getByTestId("save-account").click();
  const sent = (await calls(page)).find((c) => c.command === "add_account");
  expect(sent?.args.form).toMatchObject({ clientId: "reporting-service", identity: "" });
  expect(sent?.args.secrets).toEqual({
    password: "",
    clientSecret: "client-s3cret",
    totpSecret: "",
    oneTimeCode: "",
  });
});

test("a profile that takes a one-time code offers a TOTP secret, sent only when chosen", async ({
  page,
}) => {
  await openApp(page);
  await page.getByTestId("add-account").click();
  await page.getByTestId("f-name").fill("CMS");
  await page.getByTestId("f-preset").selectOption("directus");
  await page.getByTestId("f-base-url").fill("https://cms.example");
  await page.getByTestId("f-identity").fill("editor@cms.example");
  await page.getByTestId("f-password").fill("s3cret");
  await expect(page.getByTestId("f-totp-secret")).toHaveCount(0);
  await page.getByTestId("f-second-factor").selectOption("totp");
  await page.getByTestId("f-totp-secret").fill("GEZDGNBVGY3TQOJQ");
  await page.getByTestId("save-account").click();
  const sent = (await calls(page)).find((c) => c.command === "add_account");
  expect(sent?.args.form).toMatchObject({ secondFactor: "totp" });
  expect(sent?.args.secrets).toMatchObject({ totpSecret: "GEZDGNBVGY3TQOJQ", oneTimeCode: "" });
});

test("a device sign-in shows its code while it waits, then saves the account", async ({ page }) => {
  await openApp(page);
  await page.getByTestId("add-account").click();
  await page.getByTestId("f-name").fill("Field");
  await page.getByTestId("f-preset").selectOption("oauth2-device");
  await expect(page.getByTestId("f-identity")).toHaveCount(0);
  await expect(page.getByTestId("test-login")).toHaveCount(0);
  await page
    .getByTestId("f-base-url")
    .fill("https://idp.example/realms/ops/protocol/openid-connect");
  await page.getByTestId("f-client-id").fill("tokenvault");
  await page.getByTestId("save-account").click();
  await expect(page.getByTestId("device-code")).toHaveText("WDJB-MJHT");
  await expect(page.getByTestId("device-countdown")).toHaveText(/^(10:00|9:5\d)$/);
  await expect(page.locator('[data-account-id="field"]')).toBeVisible();
});

test("a browser sign-in says where to sign in when no browser opened, then saves the account", async ({
  page,
}) => {
  await openApp(page);
  await page.getByTestId("add-account").click();
  await page.getByTestId("f-name").fill("Desk");
  await page.getByTestId("f-preset").selectOption("oidc");
  await expect(page.getByTestId("f-identity")).toHaveCount(0);
  await expect(page.getByTestId("test-login")).toHaveCount(0);
  await expect(page.getByTestId("save-account")).toHaveText("Sign in with browser");
  // An issuer alone: the base URL may stay empty.
  await page.getByTestId("f-issuer").fill("https://idp.example/realms/ops");
  await page.getByTestId("f-client-id").fill("tokenvault");
  await page.getByTestId("save-account").click();
  await expect(page.getByTestId("browser-sign-in")).toContainText("No browser could be opened");
  await expect(page.getByTestId("browser-page")).toContainText("code_challenge=c");
  await expect(page.getByTestId("browser-countdown")).toHaveText(/^(5:00|4:5\d)$/);
  await expect(page.locator('[data-account-id="desk"]')).toBeVisible();
  const sent = (await calls(page)).find((c) => c.command === "add_account");
  expect(sent?.args.form).toMatchObject({ issuer: "https://idp.example/realms/ops", baseUrl: "" });
});

test("a browser sign-in can be cancelled while it waits, and nothing is added or said", async ({
  page,
}) => {
  await openApp(page);
  await page.evaluate(() => {
    window.tokenvaultMock.state.holdSignIn = true;
  });
  await page.getByTestId("add-account").click();
  await page.getByTestId("f-name").fill("Desk");
  await page.getByTestId("f-preset").selectOption("oidc");
  await page.getByTestId("f-issuer").fill("https://idp.example/realms/ops");
  await page.getByTestId("f-client-id").fill("tokenvault");
  await page.getByTestId("save-account").click();
  await expect(page.getByTestId("browser-sign-in")).toBeVisible();
  await page.getByTestId("cancel-sign-in").click();
  await expect(page.getByTestId("browser-sign-in")).toHaveCount(0);
  await expect(page.getByTestId("save-account")).toHaveText("Sign in with browser");
  await expect(page.getByTestId("add-error")).toHaveCount(0);
  await expect(page.locator('[data-account-id="desk"]')).toHaveCount(0);
  expect((await calls(page)).some((c) => c.command === "cancel_sign_in")).toBe(true);
});

test("an account whose session ended offers to sign in again", async ({ page }) => {
  await openApp(page);
  await page.evaluate(() => {
    const mock = window.tokenvaultMock;
    mock.setAccounts(
      mock.state.accounts.map((a) =>
        a.id === "te-uat"
          ? {
              ...a,
              state: "failing",
              failure: { code: "sign_in_required", message: "TE UAT needs you to sign in again" },
            }
          : a,
      ),
    );
  });
  const row = page.locator('[data-account-id="te-uat"]');
  await row.getByTestId("account-open").click();
  await page.getByTestId("sign-in-again").click();
  await expect(page.getByTestId("device-code")).toHaveText("WDJB-MJHT");
  // Approved: the account is fresh again and the offer goes.
  await expect(page.getByRole("region", { name: "Sign in again" })).toHaveCount(0);
  expect((await calls(page)).some((c) => c.command === "sign_in_again")).toBe(true);
});

test("an account waiting for a one-time code takes it in its panel", async ({ page }) => {
  await openApp(page);
  await page.evaluate(() => {
    const mock = window.tokenvaultMock;
    mock.setAccounts(
      mock.state.accounts.map((a) =>
        a.id === "te-uat"
          ? {
              ...a,
              state: "failing",
              failure: { code: "otp_required", message: "the login needs a one-time code" },
            }
          : a,
      ),
    );
  });
  const row = page.locator('[data-account-id="te-uat"]');
  await row.getByTestId("account-open").click();
  await page.getByTestId("otp-code").fill("287082");
  await page.getByTestId("otp-login").click();
  const sent = (await calls(page)).find((c) => c.command === "log_in_with_code");
  expect(sent?.args).toMatchObject({ code: "287082" });
  await expect(page.getByTestId("otp-code")).toHaveCount(0);
});

test.describe("the inspector", () => {
  test.beforeEach(async ({ page }) => {
    await openApp(page);
    await page.getByTestId("tab-inspector").click();
  });

  test("a pasted token is decoded and marked UNVERIFIED", async ({ page }) => {
    await page.getByTestId("i-token").fill("Bearer eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiJ4In0.sig");
    await page.getByTestId("i-inspect").click();
    await expect(page.getByTestId("verdict")).toHaveText(/^UNVERIFIED/);
    await expect(page.getByTestId("claims")).toContainText('"sub": "bo.trader"');
  });

  test("a token checked with a secret is marked verified", async ({ page }) => {
    await page.getByTestId("i-token").fill("eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiJ4In0.sig");
    await page.getByTestId("i-key-kind").selectOption("secret");
    await page.getByTestId("i-key").fill("shared-secret");
    await page.getByTestId("i-inspect").click();
    await expect(page.getByTestId("verdict")).toHaveText("Verified with hmac-secret (HS256)");
  });

  test("garbage is refused with words, not a crash", async ({ page }) => {
    await page.getByTestId("i-token").fill("<html>not a token</html>");
    await page.getByTestId("i-inspect").click();
    await expect(page.getByTestId("inspect-error")).toContainText("Not a JWT");
  });

  test("an account's token opens from its panel", async ({ page }) => {
    await page.getByTestId("tab-accounts").click();
    const row = page.locator('[data-account-id="te-uat"]');
    await row.getByTestId("account-open").click();
    await row.getByTestId("inspect-account").click();
    await expect(page.getByTestId("i-source")).toHaveValue("te-uat");
    await expect(page.getByTestId("report-identity")).toHaveText("bo.trader");
  });

  test("an account's opaque token is described by its server instead", async ({ page }) => {
    await page.evaluate(() => {
      const mock = window.tokenvaultMock.state;
      mock.failNext.inspect_token = {
        code: "not_a_jwt",
        message: "this is not a readable JWT: not three parts",
        field: "token",
      };
      mock.introspection["te-uat"] = {
        by: "https://id.example/o/introspect/",
        active: true,
        identity: "bo.trader",
        subject: null,
        client: "tokenvault",
        scope: "read",
        expiresAt: Date.now() + 60_000,
      };
    });
    await page.getByTestId("tab-accounts").click();
    const row = page.locator('[data-account-id="te-uat"]');
    await row.getByTestId("account-open").click();
    await row.getByTestId("inspect-account").click();
    await expect(page.getByTestId("introspection-verdict")).toHaveText(
      "ACTIVE, says https://id.example/o/introspect/",
    );
    await expect(page.getByTestId("introspection-client")).toHaveText("tokenvault");
    await expect(page.getByTestId("inspect-error")).toHaveCount(0);
  });
});

test.describe("activity and settings", () => {
  test.beforeEach(async ({ page }) => openApp(page));

  test("activity lists events newest first, with failures in words", async ({ page }) => {
    await page.getByTestId("tab-activity").click();
    const rows = page.getByTestId("audit-row");
    await expect(rows).toHaveCount(2);
    await expect(rows.first()).toContainText("Privé UAT");
    await expect(rows.first()).toContainText("The server failed");
  });

  test("an out-of-range clipboard delay is refused at its field", async ({ page }) => {
    await page.getByTestId("tab-settings").click();
    await page.getByTestId("s-clear").fill("2");
    await page.getByTestId("s-save").click();
    await expect(page.locator(".field-error")).toHaveText(/between 5 and 600 seconds/);
  });

  test("settings end with an about block naming the version and where secrets are kept", async ({
    page,
  }) => {
    await page.getByTestId("tab-settings").click();
    await expect(page.getByTestId("about-version")).toHaveText("Tokenvault 0.1.0");
    await expect(page.getByTestId("about")).toContainText("Secrets kept in");
  });

  test("the global shortcut is a setting that says whether it is in use, and why not", async ({
    page,
  }) => {
    await page.getByTestId("tab-settings").click();
    await expect(page.getByTestId("s-shortcut-active")).toHaveText("In use: Ctrl+Shift+Space");
    await page.getByTestId("s-shortcut").fill("Alt+F9");
    await page.getByTestId("s-save").click();
    await expect(page.getByTestId("s-shortcut-active")).toHaveText("In use: Alt+F9");

    await failNext(page, "set_settings", {
      code: "invalid_settings",
      message: "`Alt+Nope` is not a shortcut",
      field: "shortcut",
    });
    await page.getByTestId("s-shortcut").fill("Alt+Nope");
    await page.getByTestId("s-save").click();
    await expect(page.locator(".field-error").first()).toHaveText(/is not a shortcut/);

    await page.evaluate(() => {
      window.tokenvaultMock.state.shortcut = {
        active: null,
        problem: "Alt+F9 is taken by another application: choose other keys",
      };
    });
    await page.getByTestId("s-shortcut").fill("Alt+F9");
    await page.getByTestId("s-save").click();
    await expect(page.getByTestId("s-shortcut-problem")).toContainText(
      "taken by another application",
    );
  });

  test("with no team connected, settings say how to connect one", async ({ page }) => {
    await page.getByTestId("tab-settings").click();
    await expect(page.getByTestId("teams-none")).toContainText("tokenvault team connect");
  });

  test("a team shows its token's countdown and last sync, and Sync now says how it ended", async ({
    page,
  }) => {
    await page.evaluate(() => {
      window.tokenvaultMock.state.teams = [
        {
          name: "support",
          addresses: ["https://bao-1.example:8200", "https://bao-2.example:8200"],
          member: "userpass-alice",
          accounts: 3,
          tokenExpiresAt: Date.now() + 45 * 60_000,
          lastSync: null,
        },
      ];
    });
    await page.getByTestId("tab-settings").click();
    const team = page.getByTestId("team-support");
    await expect(team).toContainText("3 accounts");
    await expect(team).toContainText("https://bao-1.example:8200, https://bao-2.example:8200");
    await expect(page.getByTestId("team-token-support")).toContainText(/4[45]:\d\d left/);
    await expect(page.getByTestId("team-last-sync-support")).toContainText("not yet");

    await page.getByTestId("team-sync-support").click();
    await expect(page.getByTestId("team-last-sync-support")).toContainText(
      "just now: 0 added, 0 updated, 0 removed, 3 unchanged",
    );

    await page.evaluate(() => {
      window.tokenvaultMock.state.nextSync = {
        outcome: "team_token_rejected",
        message:
          "the team's token is no longer accepted: permission denied; connect the team again",
      };
    });
    await page.getByTestId("team-sync-support").click();
    await expect(page.getByTestId("team-last-sync-support")).toHaveAttribute(
      "data-outcome",
      "team_token_rejected",
    );
    await expect(page.getByTestId("team-error-support")).toContainText("Team connection ended");
    await expect(page.getByTestId("team-error-support")).toContainText("permission denied");
  });

  test("the dark theme applies at once and the delay is used by the next copy", async ({
    page,
  }) => {
    await page.getByTestId("tab-settings").click();
    await page.getByTestId("s-theme-dark").check();
    await page.getByTestId("s-clear").fill("10");
    await page.getByTestId("s-save").click();
    await expect(page.getByTestId("s-saved")).toBeVisible();
    await expect(page.locator("html")).toHaveAttribute("data-theme", "dark");
    await page.getByTestId("tab-accounts").click();
    await page.getByTestId("copy").first().click();
    await expect(page.getByTestId("clipboard-countdown")).toHaveText(/^(9|10)$/);
  });
});

test("a vault that cannot be opened says why instead of showing an empty list", async ({
  page,
}) => {
  await page.goto("/?problem=no_secret_store");
  const problem = page.getByTestId("vault-problem");
  await expect(problem).toHaveAttribute("data-code", "no_secret_store");
  await expect(problem).toContainText("the OS keyring did not answer");
  await expect(page.getByTestId("account-row")).toHaveCount(0);
});

test("a vault still opening says the keyring may be asking for its password", async ({ page }) => {
  await page.goto("/?opening=1");
  await expect(page.getByTestId("vault-opening")).toContainText("may be asking for its password");
});

test("editing an account keeps the saved password unless a new one is given", async ({ page }) => {
  await openApp(page);
  const row = page.locator('[data-account-id="te-uat"]');
  await row.getByTestId("account-open").click();
  await row.getByTestId("edit").click();
  await expect(page.getByTestId("f-name")).toHaveValue("TE UAT");
  await expect(page.getByTestId("f-preset")).toHaveValue("traderevolution");
  await page.getByTestId("f-name").fill("TE Staging");
  await page.getByTestId("f-environment").fill("Staging");
  await page.getByTestId("save-account").click();
  await expect(page.locator('[data-account-id="te-uat"]')).toContainText("TE Staging");
  const edit = (await calls(page)).find((c) => c.command === "edit_account");
  expect(edit?.args).toMatchObject({ id: "te-uat", secrets: { password: "" } });
});

test("the system theme follows the OS's colour scheme as it changes", async ({ page }) => {
  await page.emulateMedia({ colorScheme: "light" });
  await openApp(page);
  await expect(page.locator("html")).toHaveAttribute("data-theme", "light");
  await page.emulateMedia({ colorScheme: "dark" });
  await expect(page.locator("html")).toHaveAttribute("data-theme", "dark");
});

test("the header locks and unlocks the command-line agent", async ({ page }) => {
  await openApp(page);
  const toggle = page.getByTestId("agent-toggle");
  await expect(toggle).toHaveText("CLI agent on");
  await toggle.click();
  await expect(toggle).toHaveText("CLI agent locked");
  const call = (await calls(page)).find((c) => c.command === "set_agent_locked");
  expect(call?.args).toEqual({ locked: true });
});

test("an account's token opened in the inspector is not inspected again on every keystroke", async ({
  page,
}) => {
  await openApp(page);
  const row = page.locator('[data-account-id="te-uat"]');
  await row.getByTestId("account-open").click();
  await row.getByTestId("inspect-account").click();
  await expect(page.getByTestId("report-identity")).toHaveText("bo.trader");
  await page.getByTestId("i-key-kind").selectOption("secret");
  await page.getByTestId("i-key").fill("a-secret-typed-in");
  const inspections = (await calls(page)).filter((c) => c.command === "inspect_token");
  expect(inspections).toHaveLength(1);
  await page.getByTestId("i-inspect").click();
  await expect(page.getByTestId("verdict")).toHaveText("Verified with hmac-secret (HS256)");
});
