/**
 * Just enough PNG decoding to tell a blank screenshot from a drawn one: 8-bit RGB/RGBA,
 * non-interlaced (what Chromium writes), all five row filters. node:zlib only.
 */
import { inflateSync } from 'node:zlib'

export interface PngStats {
  width: number
  height: number
  colours: number
}

export function pngStats(png: Buffer): PngStats {
  if (png.subarray(0, 8).toString('hex') !== '89504e470d0a1a0a') throw new Error('not a PNG')
  let width = 0,
    height = 0,
    channels = 0
  const idat: Buffer[] = []
  for (let off = 8; off < png.length;) {
    const len = png.readUInt32BE(off)
    const type = png.toString('latin1', off + 4, off + 8)
    const data = png.subarray(off + 8, off + 8 + len)
    if (type === 'IHDR') {
      width = data.readUInt32BE(0)
      height = data.readUInt32BE(4)
      const depth = data[8],
        colour = data[9],
        interlace = data[12]
      if (depth !== 8 || interlace !== 0 || (colour !== 2 && colour !== 6))
        throw new Error(`unsupported PNG (depth ${depth}, colour ${colour}, interlace ${interlace})`)
      channels = colour === 6 ? 4 : 3
    } else if (type === 'IDAT') idat.push(data)
    else if (type === 'IEND') break
    off += 12 + len
  }
  const raw = inflateSync(Buffer.concat(idat))
  const stride = width * channels
  let prev = Buffer.alloc(stride)
  const seen = new Set<number>()
  for (let y = 0; y < height; y++) {
    const filter = raw[y * (stride + 1)]
    const line = Buffer.from(raw.subarray(y * (stride + 1) + 1, (y + 1) * (stride + 1)))
    for (let x = 0; x < stride; x++) {
      const a = x >= channels ? line[x - channels]! : 0,
        b = prev[x]!,
        c = x >= channels ? prev[x - channels]! : 0
      const p = a + b - c,
        pa = Math.abs(p - a),
        pb = Math.abs(p - b),
        pc = Math.abs(p - c)
      const add =
        filter === 0
          ? 0
          : filter === 1
            ? a
            : filter === 2
              ? b
              : filter === 3
                ? (a + b) >> 1
                : pa <= pb && pa <= pc
                  ? a
                  : pb <= pc
                    ? b
                    : c
      line[x] = (line[x]! + add) & 0xff
    }
    for (let x = 0; x < stride; x += channels) seen.add((line[x]! << 16) | (line[x + 1]! << 8) | line[x + 2]!)
    prev = line
  }
  return { width, height, colours: seen.size }
}
