import { describe, expect, it } from "vitest";
import { offsetOf, scrollToShow, sliceFor } from "./windowing";

const thousandRows = Array.from({ length: 1000 }, () => 100);

describe("sliceFor", () => {
  it("renders only the rows on screen and the margin around them", () => {
    const slice = sliceFor(thousandRows, 5000, 700, 200);
    expect(slice).toEqual({ start: 48, end: 59, before: 4800, after: 94100, total: 100_000 });
  });
  it("keeps the list's full height, rendered or not", () => {
    const { before, after, start, end } = sliceFor(thousandRows, 30_000, 720, 0);
    expect(before + (end - start) * 100 + after).toBe(100_000);
  });
  it("starts at the first row while the list begins below the view's top", () => {
    const slice = sliceFor(thousandRows, -300, 720, 100);
    expect(slice.start).toBe(0);
    expect(slice.before).toBe(0);
    expect(slice.end).toBe(6);
  });
  it("renders nothing of a list scrolled out of sight, and keeps its height", () => {
    const slice = sliceFor([40, 40], 1000, 500, 100);
    expect(slice).toEqual({ start: 2, end: 2, before: 80, after: 0, total: 80 });
  });
  it("follows rows of different heights, such as an opened one", () => {
    const heights = [30, 100, 400, 100, 100];
    expect(sliceFor(heights, 140, 100, 0)).toMatchObject({ start: 2, end: 3, before: 130 });
  });
  it("renders nothing of an empty list", () => {
    expect(sliceFor([], 0, 700, 200)).toEqual({ start: 0, end: 0, before: 0, after: 0, total: 0 });
  });
});

describe("scrollToShow", () => {
  it("leaves the view alone when the row is in it", () => {
    expect(scrollToShow(thousandRows, 3, 0, 700)).toBeNull();
  });
  it("scrolls down just enough to show a row below the view", () => {
    expect(scrollToShow(thousandRows, 10, 0, 700)).toBe(400);
  });
  it("scrolls up to a row above the view", () => {
    expect(scrollToShow(thousandRows, 2, 900, 700)).toBe(200);
  });
  it("shows the top of a row taller than the view", () => {
    expect(scrollToShow([100, 2000], 1, 0, 700)).toBe(100);
  });
});

describe("offsetOf", () => {
  it("adds the heights of the rows before", () => {
    expect(offsetOf([30, 100, 400], 2)).toBe(130);
    expect(offsetOf([30, 100, 400], 0)).toBe(0);
  });
});
