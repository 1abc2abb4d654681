import { describe, expect, it } from "vitest";
import { formatRemaining, lifeLeft, remainingMs, urgency } from "./countdown";

describe("formatRemaining", () => {
  it("shows minutes and seconds under an hour", () => {
    expect(formatRemaining(245_999)).toBe("4:05");
  });
  it("shows hours when an hour or more is left", () => {
    expect(formatRemaining(3_723_000)).toBe("1:02:03");
  });
  it("shows days and hours for long-living tokens", () => {
    expect(formatRemaining((3 * 86400 + 4 * 3600 + 5) * 1000)).toBe("3d 4h");
  });
  it("says expired at and after the expiry instant", () => {
    expect(formatRemaining(0)).toBe("expired");
    expect(formatRemaining(-5000)).toBe("expired");
  });
  it("says so when the expiry is unknown", () => {
    expect(formatRemaining(null)).toBe("no expiry");
  });
});

describe("remainingMs", () => {
  it("is computed from the absolute instant, so the same now gives the same answer", () => {
    expect(remainingMs(10_000, 4_000)).toBe(6_000);
    expect(remainingMs(null, 4_000)).toBeNull();
  });
});

describe("urgency", () => {
  it("is calm with most of the lifetime left", () => {
    expect(urgency(100_000, 120_000)).toBe("calm");
  });
  it("turns soon under a quarter of the lifetime", () => {
    expect(urgency(10 * 60_000, 3_600_000)).toBe("soon");
  });
  it("turns critical under a minute whatever the lifetime", () => {
    expect(urgency(59_000, 120_000)).toBe("critical");
  });
  it("is expired at zero", () => {
    expect(urgency(0, 120_000)).toBe("expired");
  });
});

describe("lifeLeft", () => {
  it("is the share of the lifetime left, clamped to 0..1", () => {
    expect(lifeLeft(30_000, 120_000)).toBe(0.25);
    expect(lifeLeft(-1, 120_000)).toBe(0);
    expect(lifeLeft(500_000, 120_000)).toBe(1);
  });
});
