// Writes Liuhen's ribbon/manifest icons (16, 32, 64, 80, 128 px PNG) with Node's zlib only: a rounded teal
// square with a white pen stroke and a "trail" dot row (留痕 = leaving a trace). Run: node addin/assets/make-icons.mjs
import { Buffer } from 'node:buffer';
import { deflateSync } from 'node:zlib';
import { writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import path from 'node:path';

const here = path.dirname(fileURLToPath(import.meta.url));

const CRC = new Uint32Array(256).map((_, n) => {
  let c = n;
  for (let k = 0; k < 8; k += 1) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
  return c >>> 0;
});
function crc32(buf) {
  let c = 0xffffffff;
  for (const b of buf) c = CRC[(c ^ b) & 0xff] ^ (c >>> 8);
  return (c ^ 0xffffffff) >>> 0;
}
function chunk(type, data) {
  const len = Buffer.alloc(4);
  len.writeUInt32BE(data.length);
  const td = Buffer.concat([Buffer.from(type, 'ascii'), data]);
  const crc = Buffer.alloc(4);
  crc.writeUInt32BE(crc32(td));
  return Buffer.concat([len, td, crc]);
}

function png(size) {
  const px = (x, y) => {
    // Coordinates in a 0..1 square, sampled 4x4 per pixel for anti-aliasing.
    let r = 0, g = 0, b = 0, a = 0;
    for (let sy = 0; sy < 4; sy += 1) for (let sx = 0; sx < 4; sx += 1) {
      const u = (x + (sx + 0.5) / 4) / size;
      const v = (y + (sy + 0.5) / 4) / size;
      const rad = 0.18;
      const dx = Math.max(rad - u, 0, u - (1 - rad));
      const dy = Math.max(rad - v, 0, v - (1 - rad));
      if (dx * dx + dy * dy > rad * rad) continue;
      // Pen: a thick diagonal stroke from lower-left to upper-right; trail: three dots along the bottom.
      const d = Math.abs(u + v - 1.05) / Math.SQRT2;
      const onPen = d < 0.075 && u > 0.3 && u < 0.78;
      const dots = [0.28, 0.5, 0.72].some((cx) => (u - cx) ** 2 + (v - 0.8) ** 2 < 0.06 ** 2);
      const white = onPen || dots;
      r += white ? 255 : 0x0f; g += white ? 255 : 0x6c; b += white ? 255 : 0x73; a += 255;
    }
    return [r / 16, g / 16, b / 16, a / 16].map(Math.round);
  };
  const raw = Buffer.alloc((size * 4 + 1) * size);
  for (let y = 0; y < size; y += 1) {
    raw[y * (size * 4 + 1)] = 0;
    for (let x = 0; x < size; x += 1) {
      const [r, g, b, a] = px(x, y);
      const o = y * (size * 4 + 1) + 1 + x * 4;
      raw[o] = r; raw[o + 1] = g; raw[o + 2] = b; raw[o + 3] = a;
    }
  }
  const ihdr = Buffer.alloc(13);
  ihdr.writeUInt32BE(size, 0);
  ihdr.writeUInt32BE(size, 4);
  ihdr[8] = 8; ihdr[9] = 6; ihdr[10] = 0; ihdr[11] = 0; ihdr[12] = 0;
  return Buffer.concat([Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]), chunk('IHDR', ihdr), chunk('IDAT', deflateSync(raw, { level: 9 })), chunk('IEND', Buffer.alloc(0))]);
}

for (const size of [16, 32, 64, 80, 128]) writeFileSync(path.join(here, `icon-${size}.png`), png(size));
