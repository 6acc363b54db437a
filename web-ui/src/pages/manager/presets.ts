// Overlay presets, stored on the server (GET/PUT /channel/actions/presets):
// one saved form per action. PUT replaces the whole map, so every change is
// computed from the latest map the server returned, and the server's answer
// (the canonical form) becomes the new map.

import type { StreamActionName, StreamActionPresets } from '../../api/types';

export const PRESET_ACTIONS: StreamActionName[] = ['quiz', 'product', 'notice', 'celebration', 'amazon_product'];

/** The map with `name`'s preset saved (added or replaced). */
export function withPreset(presets: StreamActionPresets, name: StreamActionName, data: Record<string, unknown>): StreamActionPresets {
  return { ...onlyKnown(presets), [name]: data };
}

/** The map without `name`'s preset. */
export function withoutPreset(presets: StreamActionPresets, name: StreamActionName): StreamActionPresets {
  const next = { ...onlyKnown(presets) };
  delete next[name];
  return next;
}

/** Drops keys the server would refuse (it accepts only the five action names). */
export function onlyKnown(presets: StreamActionPresets | undefined | null): StreamActionPresets {
  const out: StreamActionPresets = {};
  if (!presets || typeof presets !== 'object') return out;
  for (const n of PRESET_ACTIONS) {
    const v = presets[n];
    if (v && typeof v === 'object' && !Array.isArray(v)) out[n] = v;
  }
  return out;
}

export function hasPreset(presets: StreamActionPresets | undefined, name: StreamActionName): boolean {
  return !!presets && !!presets[name];
}

/** Whether the form's data differs from the saved preset (so "Save preset" means something). */
export function presetDiffers(saved: Record<string, unknown> | undefined, data: Record<string, unknown>): boolean {
  return JSON.stringify(sortKeys(saved ?? null)) !== JSON.stringify(sortKeys(data));
}

function sortKeys(v: unknown): unknown {
  if (Array.isArray(v)) return v.map(sortKeys);
  if (v && typeof v === 'object') {
    return Object.fromEntries(Object.keys(v as object).sort().map((k) => [k, sortKeys((v as Record<string, unknown>)[k])]));
  }
  return v;
}
