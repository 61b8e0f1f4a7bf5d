/* One code point as UTF-8 (lone surrogates as three bytes, as Python's "surrogatepass"), shared by the language-ID
 * extensions: `_ngram.c` hashes words' UTF-8 with CRC-32 (as zlib.crc32 of str.encode()), `_heliport.c` n-grams'
 * with XXH3 (as `heliport_scorer.gram_hash`). */
#ifndef EUROCURATE_LANGID_UTF8_H
#define EUROCURATE_LANGID_UTF8_H

#include <Python.h>

/* Writes the bytes of `cp` into `out` (room for 4); returns how many. */
static inline int utf8_encode(Py_UCS4 cp, unsigned char *out) {
    if (cp < 0x80) {
        out[0] = (unsigned char)cp;
        return 1;
    }
    if (cp < 0x800) {
        out[0] = (unsigned char)(0xC0 | (cp >> 6));
        out[1] = (unsigned char)(0x80 | (cp & 0x3F));
        return 2;
    }
    if (cp < 0x10000) {
        out[0] = (unsigned char)(0xE0 | (cp >> 12));
        out[1] = (unsigned char)(0x80 | ((cp >> 6) & 0x3F));
        out[2] = (unsigned char)(0x80 | (cp & 0x3F));
        return 3;
    }
    out[0] = (unsigned char)(0xF0 | (cp >> 18));
    out[1] = (unsigned char)(0x80 | ((cp >> 12) & 0x3F));
    out[2] = (unsigned char)(0x80 | ((cp >> 6) & 0x3F));
    out[3] = (unsigned char)(0x80 | (cp & 0x3F));
    return 4;
}

#endif
