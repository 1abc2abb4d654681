// A windowed list: of a long list of items, only those on or near the screen exist in the
// page. Pure arithmetic over item heights (measured where an item was shown, estimated where
// it never was), so a list of 1,000 accounts costs what a screenful costs.

/** The items to render, and the space that stands in for the ones left out. */
export interface Slice {
  /** Index of the first item to render. */
  start: number;
  /** Index after the last item to render. */
  end: number;
  /** Height of the items before `start`. */
  before: number;
  /** Height of the items from `end` on. */
  after: number;
  /** Height of the whole list. */
  total: number;
}

/**
 * The items within `margin` px of the view. `viewTop` is how far the view's top edge is below
 * the list's top (negative while the list starts lower on the screen), `viewHeight` the
 * view's height.
 */
export function sliceFor(
  heights: readonly number[],
  viewTop: number,
  viewHeight: number,
  margin: number,
): Slice {
  const from = viewTop - margin;
  const to = viewTop + viewHeight + margin;
  const height = (i: number) => heights[i] ?? 0;
  let offset = 0;
  let i = 0;
  while (i < heights.length && offset + height(i) <= from) offset += height(i++);
  const start = i;
  const before = offset;
  while (i < heights.length && offset < to) offset += height(i++);
  const end = i;
  let after = 0;
  while (i < heights.length) after += height(i++);
  return { start, end, before, after, total: offset + after };
}

/** The top of item `index`, from the list's top. */
export function offsetOf(heights: readonly number[], index: number): number {
  let offset = 0;
  for (let i = 0; i < index && i < heights.length; i++) offset += heights[i] ?? 0;
  return offset;
}

/**
 * Where to scroll (the view's new top, from the list's top) so that the item at `index` is
 * wholly in view, or null when it already is: the least movement, as `scrollIntoView({block:
 * "nearest"})` would.
 */
export function scrollToShow(
  heights: readonly number[],
  index: number,
  viewTop: number,
  viewHeight: number,
): number | null {
  const top = offsetOf(heights, index);
  const bottom = top + (heights[index] ?? 0);
  if (top < viewTop) return top;
  if (bottom > viewTop + viewHeight) return Math.min(top, bottom - viewHeight);
  return null;
}
