"""Fuzzed PNG files for the --extract-dot / objref.extract_dot tests.

Deterministic (seeded): the same cases every run, so a failure can be
replayed with cases(seed, n)[i].  The seed image is docs/img/held-from-c.png,
an objref picture that carries its DOT.  Mutations:

- bytes flipped or overwritten at random places (CRCs then mostly fail);
- truncation anywhere;
- chunk-aware damage with the CRC recomputed, so libpng's parser goes past
  the CRC check: lengths made huge or zero, types changed, data cut or
  replaced, chunks duplicated, dropped or reordered;
- text chunks added (tEXt/zTXt/iTXt under the key DOT, malformed or valid,
  non-UTF-8, without separators, a zTXt that inflates to 16 MB).

No objref import here: the CLI tests use this module too.
"""
import functools
import os
import random
import struct
import zlib

SIGNATURE = b'\x89PNG\r\n\x1a\n'
SEED_IMAGE = os.path.join(os.path.dirname(os.path.dirname(os.path.dirname(
    os.path.abspath(__file__)))), 'docs', 'img', 'held-from-c.png')


def chunks(data):
    """[(type, payload)] of a well-formed PNG."""
    out, at = [], 8
    while at + 12 <= len(data):
        n, = struct.unpack('>I', data[at:at + 4])
        out.append((data[at + 4:at + 8], data[at + 8:at + 8 + n]))
        at += 12 + n
    return out


def chunk(ctype, payload, length=None):
    """A chunk with a correct CRC (and, when given, a lying length)."""
    n = len(payload) if length is None else length
    return struct.pack('>I', n) + ctype + payload + struct.pack(
        '>I', zlib.crc32(ctype + payload) & 0xffffffff)


def assemble(parts):
    return SIGNATURE + b''.join(chunk(t, p) for t, p in parts)


@functools.lru_cache(maxsize=1)
def _bomb():
    return zlib.compress(b'\0' * (16 << 20), 9)


def _text_chunk(rng):
    kind = rng.choice(['tEXt', 'zTXt', 'iTXt', 'bomb', 'nosep', 'badzlib', 'latin'])
    body = bytes(rng.randrange(256) for _ in range(rng.randrange(0, 200)))
    if kind == 'tEXt':
        return b'tEXt', b'DOT\0' + body
    if kind == 'zTXt':
        return b'zTXt', b'DOT\0\0' + zlib.compress(body)
    if kind == 'iTXt':
        flag = rng.choice([0, 1])
        text = zlib.compress(body) if flag else body
        return b'iTXt', b'DOT\0' + bytes([flag, 0]) + b'en\0DOT\0' + text
    if kind == 'bomb':
        return rng.choice([(b'zTXt', b'DOT\0\0' + _bomb()),
                           (b'iTXt', b'DOT\0\x01\0\0\0' + _bomb())])
    if kind == 'nosep':
        return rng.choice([b'tEXt', b'zTXt', b'iTXt']), b'DOT' + body.replace(b'\0', b'')
    if kind == 'badzlib':
        return b'zTXt', b'DOT\0\0' + body
    return b'tEXt', b'DOT\0digraph { a [label="\xe9\xff\xfe"] }'


def _mutate_chunks(rng, parts):
    parts = list(parts)
    i = rng.randrange(len(parts))
    op = rng.randrange(8)
    t, p = parts[i]
    if op == 0:
        parts[i] = (t, p[:rng.randrange(len(p) + 1)])
    elif op == 1:
        parts[i] = (bytes(rng.randrange(65, 123) for _ in range(4)), p)
    elif op == 2:
        parts.insert(rng.randrange(len(parts) + 1), parts[i])
    elif op == 3 and len(parts) > 1:
        del parts[i]
    elif op == 4:
        rng.shuffle(parts)
    elif op == 5:
        parts.insert(rng.randrange(1, len(parts) + 1), _text_chunk(rng))
    elif op == 6:
        q = bytearray(p)
        for _ in range(rng.randrange(1, 9)):
            if q:
                q[rng.randrange(len(q))] = rng.randrange(256)
        parts[i] = (t, bytes(q))
    else:
        parts[i] = (t, bytes(rng.randrange(256) for _ in range(rng.randrange(0, 64))))
    return assemble(parts)


def _lying_length(rng, parts):
    """One chunk whose length field lies (CRC computed over its real data)."""
    i = rng.randrange(len(parts))
    out = bytearray(SIGNATURE)
    for j, (t, p) in enumerate(parts):
        lie = rng.choice([0, 1, 0x7fffffff, 0x80000000, 0xffffffff, len(p) + 1, len(p) * 2])
        out += chunk(t, p, lie if j == i else None)
    return bytes(out)


def cases(n, seed=17):
    """n fuzzed PNG files' bytes."""
    rng = random.Random(seed)
    with open(SEED_IMAGE, 'rb') as f:
        good = f.read()
    parts = chunks(good)
    out = []
    for k in range(n):
        how = k % 5
        if how == 0:
            data = bytearray(good)
            for _ in range(rng.randrange(1, 17)):
                data[rng.randrange(8, len(data))] = rng.randrange(256)
            out.append(bytes(data))
        elif how == 1:
            out.append(good[:rng.randrange(0, len(good))])
        elif how == 2:
            out.append(_lying_length(rng, parts))
        else:
            out.append(_mutate_chunks(rng, parts))
    return out
