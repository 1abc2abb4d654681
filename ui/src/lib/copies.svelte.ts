// What the app last put on the clipboard, for the bar that counts down to its clearing.
import { clearClipboard } from "./backend";
import type { CopyReceipt } from "./types";

interface LastCopy {
  /** `Bearer token of Finvera analyst`. */
  what: string;
  clearsAt: number;
  /** The whole delay, so a countdown read from a clock up to a second old never exceeds it. */
  seconds: number;
  cleared: boolean;
}

let last = $state<LastCopy | null>(null);

export const copies = {
  get last(): LastCopy | null {
    return last;
  },
  /** Notes a copy the backend made. */
  copied(what: string, receipt: CopyReceipt): void {
    last = {
      what,
      clearsAt: receipt.clearsAt ?? Date.now() + receipt.clearsInSeconds * 1000,
      seconds: receipt.clearsInSeconds,
      cleared: false,
    };
  },
  /** Clears the clipboard now (only if it still holds our copy). */
  async clearNow(): Promise<void> {
    await clearClipboard();
    if (last) last = { ...last, cleared: true, clearsAt: Date.now() };
  },
  dismiss(): void {
    last = null;
  },
};

export const FORMAT_WORDS: Record<CopyReceipt["format"], string> = {
  bearer: "Bearer token",
  raw: "Raw token",
  header: "Authorization header",
  curl: "curl command",
};
