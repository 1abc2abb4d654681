// Tells a component whether its element is on (or near) the screen, through one shared
// IntersectionObserver: rows off screen stop following the clock, so a tick costs only
// the rows one can see.

type Report = (visible: boolean) => void;

const reports = new WeakMap<Element, Report>();
let observer: IntersectionObserver | undefined;

function shared(): IntersectionObserver | undefined {
  if (observer === undefined && typeof IntersectionObserver !== "undefined") {
    observer = new IntersectionObserver(
      (entries) => {
        for (const entry of entries) reports.get(entry.target)?.(entry.isIntersecting);
      },
      { rootMargin: "200px 0px" },
    );
  }
  return observer;
}

/** A Svelte action: `use:onscreen={(visible) => ...}`. */
export function onscreen(node: Element, report: Report): { destroy(): void } {
  const watcher = shared();
  if (!watcher) {
    report(true);
    return { destroy() {} };
  }
  reports.set(node, report);
  watcher.observe(node);
  return {
    destroy() {
      watcher.unobserve(node);
      reports.delete(node);
    },
  };
}
