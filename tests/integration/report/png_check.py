#!/usr/bin/python3
"""png_check.py — test tool: a screenshot is not blank. Reads an 8-bit RGB/RGBA PNG with the standard library
(zlib, PNG filters) and requires at least MIN_COLOURS distinct colours and MIN_INK_PERMILLE of non-white pixels.

usage: png_check.py FILE [MIN_COLOURS] [MIN_INK_PERMILLE]
"""
import struct
import sys
import zlib

path = sys.argv[1]
min_colours = int(sys.argv[2]) if len(sys.argv) > 2 else 64
min_ink = int(sys.argv[3]) if len(sys.argv) > 3 else 30

with open(path, "rb") as f:
    data = f.read()
if data[:8] != b"\x89PNG\r\n\x1a\n":
    sys.exit(f"{path}: not a PNG")
pos, idat, width = 8, b"", None
while pos < len(data):
    length, kind = struct.unpack(">I4s", data[pos:pos + 8])
    body = data[pos + 8:pos + 8 + length]
    if kind == b"IHDR":
        width, height, depth, colour_type, _, _, interlace = struct.unpack(">IIBBBBB", body)
        if depth != 8 or colour_type not in (2, 6) or interlace:
            sys.exit(f"{path}: unsupported PNG (depth {depth}, colour type {colour_type}, interlace {interlace})")
        bpp = 3 if colour_type == 2 else 4
    elif kind == b"IDAT":
        idat += body
    pos += 12 + length
raw = zlib.decompress(idat)
stride = width * bpp
prev = bytearray(stride)
colours, ink, i = set(), 0, 0
for _ in range(height):
    ftype, line = raw[i], bytearray(raw[i + 1:i + 1 + stride])
    i += 1 + stride
    for x in range(stride):
        a = line[x - bpp] if x >= bpp else 0
        b = prev[x]
        c = prev[x - bpp] if x >= bpp else 0
        if ftype == 1:
            line[x] = (line[x] + a) & 255
        elif ftype == 2:
            line[x] = (line[x] + b) & 255
        elif ftype == 3:
            line[x] = (line[x] + (a + b) // 2) & 255
        elif ftype == 4:
            p = a + b - c
            pa, pb, pc = abs(p - a), abs(p - b), abs(p - c)
            line[x] = (line[x] + (a if pa <= pb and pa <= pc else b if pb <= pc else c)) & 255
    for x in range(0, stride, bpp):
        px = bytes(line[x:x + 3])
        colours.add(px)
        if px != b"\xff\xff\xff":
            ink += 1
    prev = line
permille = ink * 1000 // (width * height)
print(f"{path}: {width}x{height}, {len(colours)} colours, {permille}‰ non-white")
if len(colours) < min_colours or permille < min_ink:
    sys.exit(f"{path}: looks blank (need {min_colours} colours and {min_ink}‰ non-white)")
