import { describe, expect, it } from 'vitest';
import { defaultColumns, gridLayout } from './layout';

describe('gridLayout without an area', () => {
  it.each([
    [0, 1, 1], [1, 1, 1], [2, 2, 1], [3, 2, 2], [4, 2, 2], [5, 3, 2], [6, 3, 2],
    [7, 3, 3], [9, 3, 3], [10, 4, 3], [12, 4, 3],
  ])('%i tiles → %i×%i', (n, columns, rows) => {
    expect(gridLayout(n)).toEqual({ columns, rows, tileWidth: 0 });
    expect(defaultColumns(n)).toBe(columns);
  });
});

describe('gridLayout in an area', () => {
  it('puts one tile as large as the area allows (16:9)', () => {
    expect(gridLayout(1, 1600, 900, 0)).toEqual({ columns: 1, rows: 1, tileWidth: 1600 });
    expect(gridLayout(1, 1600, 450, 0)).toEqual({ columns: 1, rows: 1, tileWidth: 800 });
  });
  it('puts two side by side on a wide area, stacked on a tall one', () => {
    expect(gridLayout(2, 1600, 900).columns).toBe(2);
    expect(gridLayout(2, 400, 900, 8, 100).columns).toBe(1);
  });
  it('uses a 4×3 grid for 12 on a wide screen and never more columns than tiles', () => {
    expect(gridLayout(12, 1600, 900)).toMatchObject({ columns: 4, rows: 3 });
    expect(gridLayout(3, 4000, 300).columns).toBe(3);
  });
  it('keeps tiles at least minTile wide on a phone', () => {
    const l = gridLayout(12, 360, 2000, 8, 150);
    expect(l.columns).toBeLessThanOrEqual(2);
    expect(l.columns * l.rows).toBeGreaterThanOrEqual(12);
  });
  it('always has room for every tile', () => {
    for (let n = 1; n <= 12; n++) {
      for (const [w, h] of [[1366, 600], [390, 700], [800, 800], [2000, 400]]) {
        const l = gridLayout(n, w, h);
        expect(l.columns * l.rows).toBeGreaterThanOrEqual(n);
        expect(l.columns).toBeLessThanOrEqual(n);
      }
    }
  });
});
