#!/usr/bin/env python3
"""Drops a WASM module's debugging custom sections ("name", "producers", "target_features"
stays) in place. Byte-exact otherwise: no re-encoding, so no feature can change.

    tools/strip_wasm.py FILE.wasm
"""
import os
import sys

DROP = {b"name", b"producers"}


def leb(data, i):
    value = shift = 0
    while True:
        byte = data[i]
        i += 1
        value |= (byte & 0x7F) << shift
        shift += 7
        if byte < 0x80:
            return value, i


def main(path):
    data = open(path, "rb").read()
    if data[:4] != b"\0asm":
        sys.exit(f"{path}: not a WASM module")
    out, i = bytearray(data[:8]), 8
    while i < len(data):
        start = i
        section_id = data[i]
        size, body = leb(data, i + 1)
        end = body + size
        if section_id == 0:
            name_len, name_start = leb(data, body)
            if data[name_start:name_start + name_len] in DROP:
                i = end
                continue
        out += data[start:end]
        i = end
    # Replace atomically: a `wrangler dev` may be loading the file right now.
    tmp = f"{path}.tmp"
    with open(tmp, "wb") as f:
        f.write(out)
    os.replace(tmp, path)


if __name__ == "__main__":
    main(sys.argv[1])
