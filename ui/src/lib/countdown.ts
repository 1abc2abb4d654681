// Countdown arithmetic: pure functions of absolute instants and "now", so every row
// computes its own remaining time from one shared clock and never drifts.

export type Urgency = "calm" | "soon" | "critical" | "expired" | "unknown";

/** Milliseconds left until `expiresAt` (negative once past), or null when unknown. */
export function remainingMs(expiresAt: number | null, now: number): number | null {
  return expiresAt === null ? null : expiresAt - now;
}

/** `4:05`, `1:02:03`, `3d 4h`; once past, `expired`. Whole seconds, rounded down. */
export function formatRemaining(ms: number | null): string {
  if (ms === null) return "no expiry";
  if (ms <= 0) return "expired";
  const total = Math.floor(ms / 1000);
  const days = Math.floor(total / 86400);
  const hours = Math.floor((total % 86400) / 3600);
  const minutes = Math.floor((total % 3600) / 60);
  const seconds = total % 60;
  const two = (n: number) => String(n).padStart(2, "0");
  if (days > 0) return `${days}d ${hours}h`;
  if (hours > 0) return `${hours}:${two(minutes)}:${two(seconds)}`;
  return `${minutes}:${two(seconds)}`;
}

/**
 * How close to expiry a token is, relative to its lifetime: the colour of its countdown.
 * "critical" under a minute or under 10% of its life, "soon" under 25%.
 */
export function urgency(ms: number | null, lifetimeMs: number | null): Urgency {
  if (ms === null) return "unknown";
  if (ms <= 0) return "expired";
  const fraction = lifetimeMs && lifetimeMs > 0 ? ms / lifetimeMs : 1;
  if (ms < 60_000 || fraction < 0.1) return "critical";
  if (fraction < 0.25) return "soon";
  return "calm";
}

/** Share of the lifetime still left, between 0 and 1, for a progress bar. */
export function lifeLeft(ms: number | null, lifetimeMs: number | null): number {
  if (ms === null || !lifetimeMs || lifetimeMs <= 0) return 1;
  return Math.min(1, Math.max(0, ms / lifetimeMs));
}
