// Twenty run colours for light and dark backgrounds: ten evenly spaced OKLCH hues, then ten more
// between them at a second lightness; the tiers are chosen per scheme so every colour keeps a 3:1
// contrast (WCAG for graphics) on the chart surface.
import { hex, oklch } from './color';

export type Scheme = 'light' | 'dark';

export const SURFACE: Record<Scheme, string> = { light: '#ffffff', dark: '#151b23' };

const HUES = Array.from({ length: 10 }, (_, i) => 20 + 36 * i);
const TIERS: Record<Scheme, [number, number]> = { light: [0.52, 0.4], dark: [0.74, 0.86] };

function build(scheme: Scheme): string[] {
  const out: string[] = [];
  TIERS[scheme].forEach((L, tier) => HUES.forEach((h) => out.push(hex(oklch(L, 0.17, h + 18 * tier)))));
  return out;
}

const PALETTES: Record<Scheme, string[]> = { light: build('light'), dark: build('dark') };

export const PALETTE_SIZE = 20;

export const runColor = (i: number, scheme: Scheme): string => PALETTES[scheme][i % PALETTE_SIZE];

/** The training and validation lines of one run's charts: blue and orange, in the first tier. */
export const splitColor = (split: 'train' | 'validation', scheme: Scheme): string => hex(oklch(TIERS[scheme][0], 0.17, split === 'train' ? 255 : 50));
