// The participants grid: up to 12 publishers, the layout adapting to how
// many there are and to the space the grid has.

export const MAX_PUBLISHERS = 12;

export interface GridLayout {
  columns: number;
  rows: number;
  /** Tile width in px when the area was known, 0 otherwise. */
  tileWidth: number;
}

const ASPECT = 16 / 9;

/** Columns for n tiles when the area is unknown: 1, 2, 2×2, 3×2, 3×3, 4×3. */
export function defaultColumns(n: number): number {
  if (n <= 1) return 1;
  if (n <= 4) return 2;
  if (n <= 9) return 3;
  return 4;
}

/**
 * Lays n tiles out in a width × height area (px), gap px apart: the number
 * of columns that gives the largest 16:9 tiles. Without an area (0×0) it
 * falls back to defaultColumns. A narrow area never gets more columns than
 * fit tiles of minTile px.
 */
export function gridLayout(n: number, width = 0, height = 0, gap = 8, minTile = 150): GridLayout {
  const count = Math.max(1, n);
  if (width <= 0 || height <= 0) {
    const columns = defaultColumns(count);
    return { columns, rows: Math.ceil(count / columns), tileWidth: 0 };
  }
  const maxColumns = Math.max(1, Math.min(count, Math.floor((width + gap) / (minTile + gap))));
  let best: GridLayout = { columns: 1, rows: count, tileWidth: 0 };
  for (let c = 1; c <= maxColumns; c++) {
    const rows = Math.ceil(count / c);
    const w = Math.min((width - gap * (c - 1)) / c, ((height - gap * (rows - 1)) / rows) * ASPECT);
    // Prefer fewer empty cells on a tie (3×1 over 2×2 for three tiles only if larger).
    if (w > best.tileWidth + 0.5) best = { columns: c, rows, tileWidth: Math.floor(w) };
  }
  return best;
}
