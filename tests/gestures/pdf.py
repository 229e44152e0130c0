"""Just enough PDF reading for the tests: the titles of the document's outline."""

import re

# PDFDocEncoding differs from Latin-1 in a few places our texts use.
PDFDOC = {0x84: "—", 0x85: "–", 0x8D: "“", 0x8E: "”", 0x8F: "‘", 0x90: "’", 0x96: "Œ", 0x9C: "œ"}


def _literal(raw):
    out, i = bytearray(), 0
    while i < len(raw):
        byte = raw[i]
        if byte == 0x5C:  # backslash
            nxt = raw[i + 1 : i + 4]
            octal = re.match(rb"[0-7]{1,3}", nxt)
            if octal:
                out.append(int(octal.group(), 8))
                i += 1 + len(octal.group())
                continue
            out.append({ord("n"): 10, ord("r"): 13, ord("t"): 9}.get(raw[i + 1], raw[i + 1]))
            i += 2
            continue
        out.append(byte)
        i += 1
    data = bytes(out)
    if data.startswith(b"\xfe\xff"):
        return data[2:].decode("utf-16-be")
    return "".join(PDFDOC.get(b, chr(b)) for b in data)


def outline_titles(pdf):
    """The /Title strings of the outline entries (and of the document info)."""
    return [_literal(m.group(1)) for m in re.finditer(rb"/Title \(((?:\\.|[^\\)])*)\)", pdf, re.S)]
