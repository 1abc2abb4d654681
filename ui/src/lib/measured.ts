// Tells a component the height its element takes, through one shared ResizeObserver: when
// it is first laid out and whenever it changes (a row opened, a font loaded).

type Report = (height: number) => void;

const reports = new WeakMap<Element, Report>();
let observer: ResizeObserver | undefined;

function shared(): ResizeObserver | undefined {
  if (observer === undefined && typeof ResizeObserver !== "undefined") {
    observer = new ResizeObserver((entries) => {
      for (const entry of entries) {
        const height = entry.borderBoxSize?.[0]?.blockSize ?? entry.contentRect.height;
        reports.get(entry.target)?.(height);
      }
    });
  }
  return observer;
}

/** A Svelte action: `use:measured={(height) => ...}`, the element's border-box height in px. */
export function measured(node: Element, report: Report): { destroy(): void } {
  const watcher = shared();
  if (!watcher) return { destroy() {} };
  reports.set(node, report);
  watcher.observe(node, { box: "border-box" });
  return {
    destroy() {
      watcher.unobserve(node);
      reports.delete(node);
    },
  };
}
