"""PDF streams read from the file's bytes: a stream's own dictionary (a small parser of PDF objects, names with `#xx`
escapes decoded), the filters it declares, and their decoding within a byte limit, counted in steps and never held
whole: what the inflation-bomb check of `pdf.py` runs on every stream before PDFium opens the file, and how its
XMP reader decodes the metadata stream. Does not follow the document's object graph or decrypt (pikepdf does that
for the metadata stream).
"""

from __future__ import annotations

import mmap
import re
import zlib
from collections.abc import Iterable, Iterator
from typing import Final

Buffer = bytes | mmap.mmap  # what decoding reads from: a stream's bytes, or the mapped file it stands in

STEP: Final = 1 << 20  # decoders yield at most this much at a time
# The most one input byte can become, per filter: zlib's 1032; LZW one 9-bit code for a 4096-byte table entry;
# RunLength 2 bytes for 128; ASCII85 `z` for 4 zero bytes; ASCIIHex two digits for a byte. Other filters (DCT, JBIG2,
# JPX, CCITT: images) end PDFium's decoding of a content stream, so what comes before them is what counts.
WORST_RATIO: Final = {
    "FlateDecode": 1032,
    "LZWDecode": 3641,
    "RunLengthDecode": 64,
    "ASCII85Decode": 4,
    "ASCIIHexDecode": 1,
}
_ABBREVIATIONS: Final = {  # the short names inline images use, which PDFium also takes in a stream's dictionary
    "Fl": "FlateDecode",
    "LZW": "LZWDecode",
    "RL": "RunLengthDecode",
    "A85": "ASCII85Decode",
    "AHx": "ASCIIHexDecode",
}
_DELIMITERS: Final = b"()<>[]{}/%"
_WHITESPACE: Final = b"\x00\t\n\x0c\r "
_NAME = re.compile(rb"/([^\x00\t\n\x0c\r ()<>\[\]{}/%]*)")
_NUMBER = re.compile(rb"[+-]?(?:\d+\.?\d*|\.\d+)")
_REFERENCE = re.compile(rb"(\d+)\s+(\d+)\s+R(?![^\x00\t\n\x0c\r ()<>\[\]{}/%])")
_MAX_DEPTH = 32


class Reference(tuple):
    """An indirect reference `N G R`: its value is elsewhere in the file."""


class LimitExceeded(Exception):
    """Decoding produced more than the limit."""


def decode_name(raw: bytes) -> str:
    """A PDF name's bytes with `#xx` escapes decoded (`Fl#61teDecode` is `FlateDecode`, PDF 32000 §7.3.5)."""
    out = bytearray()
    i = 0
    while i < len(raw):
        if raw[i] == 0x23 and re.fullmatch(rb"[0-9A-Fa-f]{2}", raw[i + 1 : i + 3]):
            out.append(int(raw[i + 1 : i + 3], 16))
            i += 3
        else:
            out.append(raw[i])
            i += 1
    return out.decode("latin-1")


def parse_object(data: bytes, pos: int, depth: int = 0) -> tuple[object, int]:
    """The PDF object at `pos` and the position after it: dict → dict of decoded names, array → list, name → str,
    number → float, reference → `Reference`, string → bytes (escapes not undone), a keyword (true, null) → bytes.
    Raises ValueError on what is not a PDF object (or nested deeper than 32)."""
    pos = skip_space(data, pos)
    if pos >= len(data) or depth > _MAX_DEPTH:
        raise ValueError("no object")
    if data.startswith(b"<<", pos):
        out: dict[str, object] = {}
        pos += 2
        while True:
            pos = skip_space(data, pos)
            if data.startswith(b">>", pos):
                return out, pos + 2
            key = _NAME.match(data, pos)
            if not key:
                raise ValueError(f"a dictionary key that is not a name at byte {pos}")
            value, pos = parse_object(data, key.end(), depth + 1)
            out[decode_name(key.group(1))] = value
    if data.startswith(b"[", pos):
        items: list[object] = []
        pos += 1
        while True:
            pos = skip_space(data, pos)
            if data.startswith(b"]", pos):
                return items, pos + 1
            item, pos = parse_object(data, pos, depth + 1)
            items.append(item)
    if data.startswith(b"/", pos):
        name = _NAME.match(data, pos)
        return decode_name(name.group(1)), name.end()
    if data.startswith(b"(", pos):
        return _literal_string(data, pos)
    if data.startswith(b"<", pos):
        end = data.find(b">", pos)
        if end < 0:
            raise ValueError("an unterminated hex string")
        return data[pos + 1 : end], end + 1
    if ref := _REFERENCE.match(data, pos):
        return Reference((int(ref.group(1)), int(ref.group(2)))), ref.end()
    if num := _NUMBER.match(data, pos):
        return float(num.group()), num.end()
    end = pos
    while end < len(data) and data[end] not in _DELIMITERS and data[end] not in _WHITESPACE:
        end += 1
    if end == pos:
        raise ValueError(f"an unexpected delimiter at byte {pos}")
    return data[pos:end], end  # true, false, null


def skip_space(data: bytes, pos: int) -> int:
    """The position of the first byte at or after `pos` that is neither white space nor in a comment."""
    while pos < len(data):
        if data[pos] in _WHITESPACE:
            pos += 1
        elif data[pos] == 0x25:  # a comment runs to the end of the line
            while pos < len(data) and data[pos] not in b"\r\n":
                pos += 1
        else:
            break
    return pos


def _literal_string(data: bytes, pos: int) -> tuple[bytes, int]:
    depth, i = 0, pos
    while i < len(data):
        c = data[i]
        if c == 0x5C:  # backslash: the next byte is escaped
            i += 2
            continue
        if c == 0x28:
            depth += 1
        elif c == 0x29:
            depth -= 1
            if depth == 0:
                return data[pos + 1 : i], i + 1
        i += 1
    raise ValueError("an unterminated string")


def declared_filters(stream_dict: dict[str, object]) -> list[str] | None:
    """The stream's filter chain, first applied first, names spelled out (`/Fl` → FlateDecode); None when it cannot
    be known from the dictionary alone (an indirect reference, or not a name or array of names)."""
    value = stream_dict.get("Filter")
    if value is None:
        return []
    names = value if isinstance(value, list) else [value]
    if not all(isinstance(n, str) for n in names):
        return None
    return [_ABBREVIATIONS.get(n, n) for n in names]


def worst_size(n_bytes: int, filters: list[str]) -> int:
    """The most that `n_bytes` of a stream can decode to through `filters`, as PDFium decodes a content stream."""
    size = n_bytes
    for name in filters:
        if name not in WORST_RATIO:
            break
        size *= WORST_RATIO[name]
    return size


def decoded_chunks(
    data: Buffer, filters: list[str], limit: int, span: tuple[int, int] | None = None
) -> Iterator[bytes]:
    """The stream `data[span]` (all of `data` without a span) decoded through `filters`, in chunks of at most about
    `STEP` bytes; decoding stops at the first filter that is not one of WORST_RATIO's, as PDFium's does for a
    content stream, and at broken data. Raises LimitExceeded as soon as the output of any filter of the chain passes
    `limit` (PDFium holds each whole). The input is sliced as decoding goes, 4 KiB first: data that is no stream
    costs little."""
    chunks: Iterable[bytes] = _slices(data, *(span or (0, len(data))))
    for name in filters:
        decoder = _DECODERS.get(name)
        if decoder is None:
            break
        chunks = _counted(decoder(chunks), limit)
    yield from chunks


def _slices(data: Buffer, start: int, end: int) -> Iterator[bytes]:
    size = 4096
    while start < end:
        yield data[start : min(end, start + size)]
        start, size = start + size, min(size * 4, STEP)


def _counted(chunks: Iterator[bytes], limit: int) -> Iterator[bytes]:
    size = 0
    for chunk in chunks:
        size += len(chunk)
        if size > limit:
            raise LimitExceeded(size)
        yield chunk


def decoded_size_past(data: Buffer, filters: list[str], limit: int, span: tuple[int, int] | None = None) -> int | None:
    """How many bytes decoding `data[span]` passed `limit` at (some filter's output), or None when it stays within
    it. Nothing is kept."""
    try:
        for _ in decoded_chunks(data, filters, limit, span):
            pass
    except LimitExceeded as e:
        return int(e.args[0])
    return None


def decode_bounded(data: bytes, filters: list[str], limit: int) -> bytes:
    """The decoded stream; raises LimitExceeded as soon as it passes `limit` bytes."""
    return b"".join(decoded_chunks(data, filters, limit))


def _flate(chunks: Iterable[bytes]) -> Iterator[bytes]:
    inflater = zlib.decompressobj()
    try:
        for chunk in chunks:
            data = chunk
            while data and not inflater.eof:
                out = inflater.decompress(data, STEP)
                if out:
                    yield out
                data = inflater.unconsumed_tail
            if inflater.eof:
                return
        while not inflater.eof and (out := inflater.decompress(b"", STEP)):  # what the window still holds
            yield out
    except zlib.error:
        return  # PDFium keeps what came before the damage: so does the count


def _ascii_hex(chunks: Iterable[bytes]) -> Iterator[bytes]:
    pending = b""
    for chunk in chunks:
        end = chunk.find(b">")
        digits = pending + re.sub(rb"[^0-9A-Fa-f]", b"", chunk if end < 0 else chunk[:end])
        cut = len(digits) - len(digits) % 2
        yield bytes.fromhex(digits[:cut].decode())
        pending = digits[cut:]
        if end >= 0:
            break
    if pending:
        yield bytes.fromhex((pending + b"0").decode())


def _ascii85(chunks: Iterable[bytes]) -> Iterator[bytes]:
    group: list[int] = []
    for chunk in chunks:
        out = bytearray()
        for c in chunk:
            if c == 0x7E:  # `~>` ends the data
                yield bytes(out) + _a85_tail(group)
                return
            if c == 0x7A and not group:  # `z`: four zero bytes
                out += b"\0\0\0\0"
            elif 0x21 <= c <= 0x75:
                group.append(c - 33)
                if len(group) == 5:
                    value = 0
                    for d in group:
                        value = value * 85 + d
                    out += (value & 0xFFFFFFFF).to_bytes(4, "big")
                    group = []
        yield bytes(out)
    yield _a85_tail(group)


def _a85_tail(group: list[int]) -> bytes:
    if len(group) < 2:
        return b""
    value = 0
    for d in group + [84] * (5 - len(group)):
        value = value * 85 + d
    return (value & 0xFFFFFFFF).to_bytes(4, "big")[: len(group) - 1]


def _run_length(chunks: Iterable[bytes]) -> Iterator[bytes]:
    carry = b""
    for chunk in chunks:
        data, out, i = carry + chunk, bytearray(), 0
        while i < len(data):
            n = data[i]
            if n == 128:  # end of data
                yield bytes(out)
                return
            need = n + 2 if n < 128 else 2
            if i + need > len(data):
                break
            out += data[i + 1 : i + need] if n < 128 else data[i + 1 : i + 2] * (257 - n)
            i += need
        carry = data[i:]
        yield bytes(out)


def _lzw(chunks: Iterable[bytes]) -> Iterator[bytes]:
    """LZW as PDF uses it: MSB first, codes of 9 to 12 bits, 256 clears, 257 ends, EarlyChange 1."""
    table = [bytes([i]) for i in range(256)] + [b"", b""]
    width, bits, n_bits, previous = 9, 0, 0, b""
    for chunk in chunks:
        out = bytearray()
        for byte in chunk:
            bits, n_bits = (bits << 8) | byte, n_bits + 8
            while n_bits >= width:
                n_bits -= width
                code = (bits >> n_bits) & ((1 << width) - 1)
                bits &= (1 << n_bits) - 1
                if code == 256:
                    del table[258:]
                    width, previous = 9, b""
                    continue
                if code == 257:
                    yield bytes(out)
                    return
                if code < len(table):
                    entry = table[code]
                elif code == len(table) and previous:
                    entry = previous + previous[:1]
                else:
                    yield bytes(out)
                    return  # broken data
                out += entry
                if previous and len(table) < 4096:
                    table.append(previous + entry[:1])
                previous = entry
                if len(table) + 1 >= (1 << width) and width < 12:
                    width += 1
            if len(out) >= STEP:
                yield bytes(out)
                out = bytearray()
        yield bytes(out)


_DECODERS: Final = {
    "FlateDecode": _flate,
    "LZWDecode": _lzw,
    "RunLengthDecode": _run_length,
    "ASCII85Decode": _ascii85,
    "ASCIIHexDecode": _ascii_hex,
}
