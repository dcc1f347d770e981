// The learnt rows of a one-layer network's W as colour images (the reports' class templates).
import { PNG } from 'pngjs';
import type { ImageShape } from '../core/data/dataset.js';
import type { Vec } from '../core/kernels/kernels.js';

/**
 * One tile per row of W (rows x channels*height*width, channel-major), each rescaled to [0, 255]
 * by its own min and max, enlarged by `scale`, laid out in one row with a 2-pixel gap.
 */
export function weightRowsPng(W: Vec, rows: number, shape: ImageShape, scale = 4): Buffer {
  const { channels, height, width } = shape;
  const d = channels * height * width;
  const gap = 2;
  const tileW = width * scale;
  const png = new PNG({ width: rows * (tileW + gap) + gap, height: height * scale + 2 * gap });
  png.data.fill(255);
  for (let r = 0; r < rows; r++) {
    let lo = Infinity;
    let hi = -Infinity;
    for (let j = 0; j < d; j++) {
      lo = Math.min(lo, W[r * d + j]);
      hi = Math.max(hi, W[r * d + j]);
    }
    const span = hi - lo || 1;
    for (let y = 0; y < height * scale; y++) {
      for (let x = 0; x < tileW; x++) {
        const px = ((y + gap) * png.width + gap + r * (tileW + gap) + x) * 4;
        const src = Math.floor(y / scale) * width + Math.floor(x / scale);
        for (let c = 0; c < 3; c++) {
          const ch = Math.min(c, channels - 1);
          png.data[px + c] = Math.round(((W[r * d + ch * height * width + src] - lo) / span) * 255);
        }
        png.data[px + 3] = 255;
      }
    }
  }
  return PNG.sync.write(png);
}
