import { describe, expect, it } from 'vitest';
import { contrast, oklch, parseHex } from '../../src/ui/lib/color';
import { PALETTE_SIZE, runColor, splitColor, SURFACE, type Scheme } from '../../src/ui/lib/palette';

describe('run palette', () => {
  for (const scheme of ['light', 'dark'] as Scheme[]) {
    it(`has twenty distinct colours with 3:1 contrast on the ${scheme} surface`, () => {
      const colours = Array.from({ length: PALETTE_SIZE }, (_, i) => runColor(i, scheme));
      expect(new Set(colours).size).toBe(PALETTE_SIZE);
      for (const c of [...colours, splitColor('train', scheme), splitColor('validation', scheme)]) expect(contrast(parseHex(c), parseHex(SURFACE[scheme]))).toBeGreaterThanOrEqual(3);
    });
  }

  it('keeps neighbouring colours apart (no two within a small RGB distance)', () => {
    for (const scheme of ['light', 'dark'] as Scheme[]) {
      const rgb = Array.from({ length: PALETTE_SIZE }, (_, i) => parseHex(runColor(i, scheme)));
      for (let i = 0; i < rgb.length; i++)
        for (let j = i + 1; j < rgb.length; j++) {
          const d = Math.hypot(rgb[i][0] - rgb[j][0], rgb[i][1] - rgb[j][1], rgb[i][2] - rgb[j][2]);
          expect(d, `${scheme} ${i} vs ${j}`).toBeGreaterThan(0.08);
        }
    }
  });
});

describe('oklch', () => {
  it('gives white and black at the lightness ends', () => {
    expect(oklch(1, 0, 0).map((v) => Math.round(v * 255))).toEqual([255, 255, 255]);
    expect(oklch(0, 0, 0).map((v) => Math.round(v * 255))).toEqual([0, 0, 0]);
  });
});
