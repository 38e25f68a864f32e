#!/usr/bin/env node
/**
 * Draws the krbops Teams icons without any image library: shapes as signed-distance tests,
 * 4×4 supersampling for smooth edges, written as RGBA PNGs with node:zlib.
 *
 *   node manifest/teams/draw-icons.mjs      # writes color.png (192×192) and outline.png (32×32) here
 *
 * color.png: a white key (the Kerberos ticket) on krbops blue with an amber "incident" badge.
 * outline.png: the same key, white on transparent, as Teams requires for the app bar.
 */
import { writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { crc32, deflateSync } from 'node:zlib';

const HERE = dirname(fileURLToPath(import.meta.url));

// ── PNG ──────────────────────────────────────────────────────────────────────
function chunk(type, data) {
  const len = Buffer.alloc(4);
  len.writeUInt32BE(data.length);
  const body = Buffer.concat([Buffer.from(type, 'ascii'), data]);
  const crc = Buffer.alloc(4);
  crc.writeUInt32BE(crc32(body) >>> 0);
  return Buffer.concat([len, body, crc]);
}

/** RGBA pixels (Uint8Array, w*h*4) → PNG bytes (8-bit, colour type 6, no interlace). */
export function encodePng(width, height, rgba) {
  const ihdr = Buffer.alloc(13);
  ihdr.writeUInt32BE(width, 0);
  ihdr.writeUInt32BE(height, 4);
  ihdr[8] = 8; // bit depth
  ihdr[9] = 6; // RGBA
  const raw = Buffer.alloc((width * 4 + 1) * height);
  for (let y = 0; y < height; y++) {
    raw[y * (width * 4 + 1)] = 0; // filter: none
    Buffer.from(rgba.buffer, rgba.byteOffset + y * width * 4, width * 4).copy(raw, y * (width * 4 + 1) + 1);
  }
  return Buffer.concat([Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]), chunk('IHDR', ihdr), chunk('IDAT', deflateSync(raw, { level: 9 })), chunk('IEND', Buffer.alloc(0))]);
}

// ── shapes in unit coordinates (0..1, y down) ───────────────────────────────
const circle = (cx, cy, r) => (x, y) => (x - cx) ** 2 + (y - cy) ** 2 <= r * r;
const rect = (x0, y0, x1, y1) => (x, y) => x >= x0 && x <= x1 && y >= y0 && y <= y1;
const roundRect = (x0, y0, x1, y1, r) => (x, y) => {
  const qx = Math.max(x0 + r - x, 0, x - (x1 - r));
  const qy = Math.max(y0 + r - y, 0, y - (y1 - r));
  return x >= x0 && x <= x1 && y >= y0 && y <= y1 && qx * qx + qy * qy <= r * r;
};
const union = (...fs) => (x, y) => fs.some((f) => f(x, y));
const minus = (a, b) => (x, y) => a(x, y) && !b(x, y);

/** The key: a ring (bow), a shaft, two teeth. `s` scales the stroke for small sizes. */
function key(cx, cy, size, s = 1) {
  const ro = 0.2 * size;
  const ri = (0.2 - 0.085 * s) * size;
  const half = 0.045 * s * size;
  const shaftX0 = cx + ro * 0.8;
  const shaftX1 = cx + 0.62 * size;
  const tooth = 0.075 * Math.min(s, 1.2) * size;
  return union(
    minus(circle(cx, cy, ro), circle(cx, cy, ri)),
    rect(shaftX0, cy - half, shaftX1, cy + half),
    rect(shaftX1 - 0.24 * size, cy + half - 0.001, shaftX1 - 0.24 * size + tooth, cy + half + 0.11 * size),
    rect(shaftX1 - tooth, cy + half - 0.001, shaftX1, cy + half + 0.15 * size),
  );
}

/** Paints layers (back to front) of [shape, [r,g,b]] with 4×4 supersampling. */
function paint(size, layers) {
  const px = new Uint8Array(size * size * 4);
  const N = 4;
  for (let j = 0; j < size; j++) {
    for (let i = 0; i < size; i++) {
      let r = 0, g = 0, b = 0, a = 0;
      for (let sy = 0; sy < N; sy++) {
        for (let sx = 0; sx < N; sx++) {
          const x = (i + (sx + 0.5) / N) / size;
          const y = (j + (sy + 0.5) / N) / size;
          let c = null;
          for (const [shape, colour] of layers) if (shape(x, y)) c = colour;
          if (c) {
            r += c[0];
            g += c[1];
            b += c[2];
            a += 1;
          }
        }
      }
      const o = (j * size + i) * 4;
      // Straight (not premultiplied) alpha: the colour of the covered samples, the coverage as alpha.
      px[o] = a ? Math.round(r / a) : 0;
      px[o + 1] = a ? Math.round(g / a) : 0;
      px[o + 2] = a ? Math.round(b / a) : 0;
      px[o + 3] = Math.round((255 * a) / (N * N));
    }
  }
  return px;
}

const BLUE = [0x1f, 0x4e, 0x79];
const WHITE = [0xff, 0xff, 0xff];
const AMBER = [0xf2, 0xa9, 0x00];

export function drawColor() {
  const size = 192;
  const badge = circle(0.76, 0.26, 0.13);
  const bang = union(roundRect(0.745, 0.175, 0.775, 0.29, 0.012), circle(0.76, 0.33, 0.019));
  return encodePng(
    size,
    size,
    paint(size, [
      [rect(0, 0, 1, 1), BLUE],
      [key(0.3, 0.56, 0.9), WHITE],
      [badge, AMBER],
      [bang, WHITE],
    ]),
  );
}

export function drawOutline() {
  const size = 32;
  // Bolder strokes so the key still reads at 32 px.
  return encodePng(size, size, paint(size, [[key(0.24, 0.5, 1.08, 1.45), WHITE]]));
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  writeFileSync(join(HERE, 'color.png'), drawColor());
  writeFileSync(join(HERE, 'outline.png'), drawOutline());
  process.stdout.write(`wrote ${join(HERE, 'color.png')} and ${join(HERE, 'outline.png')}\n`);
}
