/**
 * A small rasteriser for the network picture's own SVG (network-svg.ts draws only `rect`, `line` and `circle`
 * besides text): the PNG fallback Word requires beside an SVG image, so word processors without SVG support still
 * show the network (without its labels). Not a general SVG renderer.
 */
import { crc32, deflateSync } from 'node:zlib';

type Rgb = [number, number, number];

const attribute = (element: string, name: string): string | undefined =>
  new RegExp(`\\s${name}="([^"]*)"`).exec(element)?.[1];
const number = (element: string, name: string, fallback = 0): number => Number(attribute(element, name) ?? fallback);

function colour(hex: string | undefined): Rgb | undefined {
  const match = /^#([0-9a-f]{6})$/i.exec(hex ?? '');
  if (!match) return hex === 'white' ? [255, 255, 255] : undefined;
  const value = Number.parseInt(match[1]!, 16);
  return [(value >> 16) & 255, (value >> 8) & 255, value & 255];
}

/** Rasterises the SVG's lines and circles at `scale` pixels per unit onto white; returns RGB rows. */
export function rasteriseShapes(
  svg: string,
  width: number,
  height: number,
  scale: number,
): { pixels: Uint8Array; width: number; height: number } {
  const w = Math.max(1, Math.round(width * scale));
  const h = Math.max(1, Math.round(height * scale));
  const pixels = new Uint8Array(w * h * 3).fill(255);
  const paint = (x: number, y: number, rgb: Rgb, alpha: number) => {
    const at = (y * w + x) * 3;
    for (let c = 0; c < 3; c++) pixels[at + c] = Math.round(pixels[at + c]! * (1 - alpha) + rgb[c]! * alpha);
  };
  for (const element of svg.match(/<(line|circle)\b[^>]*>/g) ?? []) {
    if (element.startsWith('<line')) {
      const rgb = colour(attribute(element, 'stroke'));
      if (!rgb) continue;
      const [x1, y1, x2, y2] = ['x1', 'y1', 'x2', 'y2'].map((n) => number(element, n) * scale) as [
        number,
        number,
        number,
        number,
      ];
      const half = Math.max(0.5, (number(element, 'stroke-width', 1) * scale) / 2);
      const alpha = number(element, 'stroke-opacity', 1);
      const dx = x2 - x1;
      const dy = y2 - y1;
      const length2 = dx * dx + dy * dy || 1;
      for (
        let y = Math.max(0, Math.floor(Math.min(y1, y2) - half));
        y <= Math.min(h - 1, Math.ceil(Math.max(y1, y2) + half));
        y++
      ) {
        for (
          let x = Math.max(0, Math.floor(Math.min(x1, x2) - half));
          x <= Math.min(w - 1, Math.ceil(Math.max(x1, x2) + half));
          x++
        ) {
          const t = Math.min(1, Math.max(0, ((x + 0.5 - x1) * dx + (y + 0.5 - y1) * dy) / length2));
          const ex = x + 0.5 - (x1 + t * dx);
          const ey = y + 0.5 - (y1 + t * dy);
          if (ex * ex + ey * ey <= half * half) paint(x, y, rgb, alpha);
        }
      }
    } else {
      const rgb = colour(attribute(element, 'fill'));
      if (!rgb) continue;
      const cx = number(element, 'cx') * scale;
      const cy = number(element, 'cy') * scale;
      const r = Math.max(0.7, number(element, 'r') * scale);
      for (let y = Math.max(0, Math.floor(cy - r)); y <= Math.min(h - 1, Math.ceil(cy + r)); y++) {
        for (let x = Math.max(0, Math.floor(cx - r)); x <= Math.min(w - 1, Math.ceil(cx + r)); x++) {
          if ((x + 0.5 - cx) ** 2 + (y + 0.5 - cy) ** 2 <= r * r) paint(x, y, rgb, 1);
        }
      }
    }
  }
  return { pixels, width: w, height: h };
}

/** Encodes RGB pixels (8 bits per channel, rows top to bottom) as a PNG file. */
export function encodePng(image: { pixels: Uint8Array; width: number; height: number }): Buffer {
  const { pixels, width, height } = image;
  const rows = Buffer.alloc(height * (1 + 3 * width));
  for (let y = 0; y < height; y++)
    rows.set(pixels.subarray(y * width * 3, (y + 1) * width * 3), y * (1 + 3 * width) + 1);
  const chunk = (type: string, data: Buffer) => {
    const length = Buffer.alloc(4);
    length.writeUInt32BE(data.length);
    const body = Buffer.concat([Buffer.from(type, 'ascii'), data]);
    const crc = Buffer.alloc(4);
    crc.writeUInt32BE(crc32(body) >>> 0);
    return Buffer.concat([length, body, crc]);
  };
  const header = Buffer.alloc(13);
  header.writeUInt32BE(width, 0);
  header.writeUInt32BE(height, 4);
  header.set([8, 2, 0, 0, 0], 8);
  return Buffer.concat([
    Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
    chunk('IHDR', header),
    chunk('IDAT', deflateSync(rows)),
    chunk('IEND', Buffer.alloc(0)),
  ]);
}
