/** The brief's fonts (DejaVu Sans, resources/fonts, Bitstream Vera licence): full Unicode (β⁺, ≤, —) in every format. */
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

/** resources/ sits two or three folders above this module in the sources and in the bundle (out/main, chunks). */
export function fontsDir(): string {
  for (const relative of ['../../../resources/fonts/', '../../resources/fonts/', '../resources/fonts/']) {
    const dir = fileURLToPath(new URL(relative, import.meta.url));
    if (existsSync(`${dir}DejaVuSans.ttf`)) return dir;
  }
  throw new Error('the brief fonts (resources/fonts/DejaVuSans.ttf) are missing');
}
