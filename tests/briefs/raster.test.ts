import { inflateSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { drawNetwork } from '../../src-main/io/briefs/network-svg';
import { encodePng, rasteriseShapes } from '../../src-main/io/briefs/raster';

const dark = (pixels: Uint8Array) => {
  let count = 0;
  for (let i = 0; i < pixels.length; i += 3) if (pixels[i]! < 128) count++;
  return count;
};

/** Reads back an 8-bit RGB PNG without filters (as encodePng writes it): chunk layout, CRC-free, rows. */
function decodePng(png: Buffer): { width: number; height: number; pixels: Uint8Array } {
  expect([...png.subarray(0, 8)]).toEqual([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);
  let at = 8;
  let width = 0;
  let height = 0;
  const data: Buffer[] = [];
  while (at < png.length) {
    const length = png.readUInt32BE(at);
    const type = png.subarray(at + 4, at + 8).toString('ascii');
    const body = png.subarray(at + 8, at + 8 + length);
    if (type === 'IHDR') [width, height] = [body.readUInt32BE(0), body.readUInt32BE(4)];
    if (type === 'IDAT') data.push(body);
    at += 12 + length;
  }
  const rows = inflateSync(Buffer.concat(data));
  const pixels = new Uint8Array(width * height * 3);
  for (let y = 0; y < height; y++) {
    expect(rows[y * (1 + 3 * width)]).toBe(0);
    pixels.set(rows.subarray(y * (1 + 3 * width) + 1, (y + 1) * (1 + 3 * width)), y * width * 3);
  }
  return { width, height, pixels };
}

describe('network picture fallback raster', () => {
  it('fills a circle of area πr² and a line of area length × width', () => {
    const circle = rasteriseShapes('<svg><circle cx="50" cy="50" r="20" fill="#000000"/></svg>', 100, 100, 1);
    expect(Math.abs(dark(circle.pixels) - Math.PI * 400) / (Math.PI * 400)).toBeLessThan(0.03);
    const line = rasteriseShapes(
      '<svg><line x1="10" y1="10" x2="90" y2="70" stroke="#000000" stroke-width="4"/></svg>',
      100,
      100,
      1,
    );
    const expected = 100 * 4 + Math.PI * 4; // segment of length 100 (a 3-4-5 triangle) with round ends
    expect(Math.abs(dark(line.pixels) - expected) / expected).toBeLessThan(0.05);
    // Scale 2 draws four times the pixels.
    expect(
      dark(rasteriseShapes('<svg><circle cx="50" cy="50" r="20" fill="#000000"/></svg>', 100, 100, 2).pixels) /
        dark(circle.pixels),
    ).toBeCloseTo(4, 1);
  });

  it('encodes a PNG that decodes to the same pixels, and draws every bank of the network picture', () => {
    const picture = drawNetwork({
      title: 't',
      caption: 'c',
      nodes: ['A', 'B', 'C', 'D'].map((id, i) => ({
        id,
        weight: 10 + i,
        highlight: id === 'B' ? 'default' : undefined,
      })),
      edges: [{ from: 'A', to: 'C', amount: 5 }],
      highlights: [{ key: 'default', label: 'in default', color: '#b42318' }],
      unit: 'EUR',
    });
    const image = rasteriseShapes(picture.svg, picture.width, picture.height, 1);
    const decoded = decodePng(encodePng(image));
    expect(decoded).toEqual({ width: picture.width, height: picture.height, pixels: image.pixels });
    let red = 0;
    for (let i = 0; i < image.pixels.length; i += 3)
      if (image.pixels[i] === 0xb4 && image.pixels[i + 1] === 0x23 && image.pixels[i + 2] === 0x18) red++;
    expect(red).toBeGreaterThan(20); // bank B and the legend's dot
  });
});
