/* heliport's scoring of new words and of a text (`langid.heliport_scorer`) in C: the same rows and scores, bit for
 * bit, as the numpy definition there (`MappedHeliport._score_words`, `._backoff_rows`, the mean in `._score_text`),
 * without Python's and numpy's per-call cost (a text's new words were ~10 numpy calls per n-gram order, and a
 * Python string and hash per n-gram).
 *
 * A table: `hashes` (uint64, sorted, unique), `buckets` (uint32, 2**bits + 1: the first key of each bucket of the
 * hashes' top bits), `offsets` (uint32, len(hashes) + 1: each key's run) and the runs' `langs` (uint8) and `probs`
 * (float32). A key's row is PENALTY for every language, then the run's (language, probability) pairs written in.
 */
#define PY_SSIZE_T_CLEAN
#include <Python.h>
#include <stdint.h>
#include <string.h>

/* xxHash 0.8.2 (BSD-2-Clause, langid/xxhash/LICENSE), as the python `xxhash` package ships it: the tables' keys are
 * XXH3-64 of UTF-8 bytes (`heliport_scorer.gram_hash`) */
#define XXH_INLINE_ALL
#include "xxhash/xxhash.h"

#include "utf8.h"

#define PENALTY 7.0f
#define MAX_ORDER 6

typedef struct {
    Py_buffer hashes, buckets, offsets, langs, probs;
    int shift;
    Py_ssize_t n_keys;
} Table;

static int get(PyObject *obj, Py_buffer *view, Py_ssize_t itemsize, char kind, const char *name) {
    if (PyObject_GetBuffer(obj, view, PyBUF_C_CONTIGUOUS | PyBUF_FORMAT) < 0) return -1;
    const char *f = view->format;
    if (f != NULL && (*f == '<' || *f == '=' || *f == '@')) f++;
    const char *kinds = kind == 'f' ? "f" : (kind == 'u' ? "BHILQ" : "bhilq");
    int kind_ok = f != NULL && *f != '\0' && strchr(kinds, *f) != NULL;
    if (view->itemsize != itemsize || !kind_ok) {
        PyErr_Format(PyExc_TypeError, "%s: expected a C-contiguous array of %zd-byte %s", name, itemsize,
                     kind == 'f' ? "floats" : (kind == 'u' ? "unsigned integers" : "integers"));
        PyBuffer_Release(view);
        return -1;
    }
    return 0;
}

static void release_table(Table *t) {
    PyBuffer_Release(&t->hashes);
    PyBuffer_Release(&t->buckets);
    PyBuffer_Release(&t->offsets);
    PyBuffer_Release(&t->langs);
    PyBuffer_Release(&t->probs);
}

/* `table`: the tuple (hashes, buckets, offsets, langs, probs) */
static int open_table(PyObject *table, Table *t) {
    memset(t, 0, sizeof(*t));
    if (!PyTuple_Check(table) || PyTuple_GET_SIZE(table) != 5) {
        PyErr_SetString(PyExc_TypeError, "table must be the tuple (hashes, buckets, offsets, langs, probs)");
        return -1;
    }
    if (get(PyTuple_GET_ITEM(table, 0), &t->hashes, 8, 'u', "hashes") < 0) return -1;
    if (get(PyTuple_GET_ITEM(table, 1), &t->buckets, 4, 'u', "buckets") < 0) goto fail;
    if (get(PyTuple_GET_ITEM(table, 2), &t->offsets, 4, 'u', "offsets") < 0) goto fail;
    if (get(PyTuple_GET_ITEM(table, 3), &t->langs, 1, 'u', "langs") < 0) goto fail;
    if (get(PyTuple_GET_ITEM(table, 4), &t->probs, 4, 'f', "probs") < 0) goto fail;
    t->n_keys = t->hashes.len / 8;
    Py_ssize_t n_buckets = t->buckets.len / 4 - 1;
    int bits = 0;
    while (((Py_ssize_t)1 << bits) < n_buckets) bits++;
    if (n_buckets < 1 || ((Py_ssize_t)1 << bits) != n_buckets || t->offsets.len / 4 != t->n_keys + 1) {
        PyErr_SetString(PyExc_ValueError, "table: buckets must be 2**bits + 1 long and offsets len(hashes) + 1");
        goto fail;
    }
    t->shift = 64 - bits;
    return 0;
fail:
    release_table(t);
    return -1;
}

#if defined(__GNUC__) || defined(__clang__)
#define PREFETCH(address) __builtin_prefetch(address)
#else
#define PREFETCH(address) ((void)0)
#endif

/* The position of each of `keys` in the table (or -1) into `pos`: only a key's own bucket (its top bits) can hold
 * it. In stages that ask for the next stage's memory for all the keys first: the buckets, then their first hashes,
 * then the entries' runs (the tables are far larger than the CPU's caches, and one key's look-ups depend on each
 * other: on the bench's documents new words' rows took half as long). `lo`: room for n. */
static void find_many(const Table *t, const uint64_t *keys, Py_ssize_t n, Py_ssize_t *pos, Py_ssize_t *lo) {
    if (t->n_keys == 0) {
        for (Py_ssize_t i = 0; i < n; i++) pos[i] = -1;
        return;
    }
    const uint64_t *hashes = (const uint64_t *)t->hashes.buf;
    const uint32_t *buckets = (const uint32_t *)t->buckets.buf;
    const uint32_t *offsets = (const uint32_t *)t->offsets.buf;
    int shift = t->shift;
    for (Py_ssize_t i = 0; i < n; i++) PREFETCH(buckets + (shift >= 64 ? 0 : keys[i] >> shift));
    for (Py_ssize_t i = 0; i < n; i++) {
        lo[i] = buckets[shift >= 64 ? 0 : keys[i] >> shift];
        PREFETCH(hashes + lo[i]);
    }
    for (Py_ssize_t i = 0; i < n; i++) {
        pos[i] = -1;
        uint64_t b = shift >= 64 ? 0 : keys[i] >> shift;
        for (Py_ssize_t c = lo[i], end = buckets[b + 1]; c < end; c++) {
            if (hashes[c] == keys[i]) {
                pos[i] = c;
                PREFETCH(offsets + c);
                break;
            }
            if (hashes[c] > keys[i]) break;
        }
    }
    for (Py_ssize_t i = 0; i < n; i++)
        if (pos[i] >= 0) {
            PREFETCH((const uint8_t *)t->langs.buf + offsets[pos[i]]);
            PREFETCH((const float *)t->probs.buf + offsets[pos[i]]);
        }
}

/* row = PENALTY, then the run of entry `pos` written in */
static inline void write_row(const Table *t, Py_ssize_t pos, float *row, Py_ssize_t n_langs) {
    for (Py_ssize_t l = 0; l < n_langs; l++) row[l] = PENALTY;
    const uint32_t *offsets = (const uint32_t *)t->offsets.buf;
    const uint8_t *langs = (const uint8_t *)t->langs.buf;
    const float *probs = (const float *)t->probs.buf;
    for (uint32_t r = offsets[pos]; r < offsets[pos + 1]; r++)
        if (langs[r] < n_langs) row[langs[r]] = probs[r];
}

static int rows_buffer(PyObject *obj, Py_buffer *view) {
    if (PyObject_GetBuffer(obj, view, PyBUF_C_CONTIGUOUS | PyBUF_FORMAT | PyBUF_WRITABLE) < 0) return -1;
    if (view->ndim != 2 || view->itemsize != 4 || view->format == NULL || strcmp(view->format, "f") != 0) {
        PyErr_SetString(PyExc_TypeError, "rows must be a writable C-contiguous 2-D float32 array");
        PyBuffer_Release(view);
        return -1;
    }
    return 0;
}

/* The UTF-8 of " word " (lone surrogates as three bytes, as Python's "surrogatepass"), into `buf` (room for 4 bytes a
 * point), and in `offset[i]` where point i starts (offset[n] the end). Returns the number of points. */
static Py_ssize_t padded_utf8(PyObject *word, unsigned char *buf, Py_ssize_t *offset) {
    int kind = PyUnicode_KIND(word);
    const void *data = PyUnicode_DATA(word);
    Py_ssize_t n = PyUnicode_GET_LENGTH(word) + 2, at = 0;
    for (Py_ssize_t i = 0; i < n; i++) {
        Py_UCS4 cp = (i == 0 || i == n - 1) ? ' ' : PyUnicode_READ(kind, data, i - 1);
        offset[i] = at;
        at += utf8_encode(cp, buf + at);
    }
    offset[n] = at;
    return n;
}

/* The row of a word out of the word model: the float32 mean of the entries of its n-grams (of " word ") of the
 * longest order, from 6 down, with any entry, added one after the other in text order; else zeros. `keys`, `pos`,
 * `lo`: room for a gram per point; `tmp`: for a row. */
static void backoff_row(const Table *ngrams, const unsigned char *buf, const Py_ssize_t *offset, Py_ssize_t n_points,
                        float *row, float *tmp, Py_ssize_t n_langs, uint64_t *keys, Py_ssize_t *pos, Py_ssize_t *lo) {
    for (int order = MAX_ORDER; order >= 1; order--) {
        Py_ssize_t n = n_points - order + 1;
        if (n <= 0) continue;
        for (Py_ssize_t i = 0; i < n; i++) keys[i] = XXH3_64bits(buf + offset[i], (size_t)(offset[i + order] - offset[i]));
        find_many(ngrams, keys, n, pos, lo);
        long found = 0;
        for (Py_ssize_t i = 0; i < n; i++) {
            if (pos[i] < 0) continue;
            if (found++ == 0) {
                write_row(ngrams, pos[i], row, n_langs);
            } else {
                write_row(ngrams, pos[i], tmp, n_langs);
                for (Py_ssize_t l = 0; l < n_langs; l++) row[l] = row[l] + tmp[l];
            }
        }
        if (found) {
            float count = (float)found;
            for (Py_ssize_t l = 0; l < n_langs; l++) row[l] = row[l] / count;
            return;
        }
    }
    for (Py_ssize_t l = 0; l < n_langs; l++) row[l] = 0.0f;
}

/* new_rows(words_table, ngrams_table, words, rows, first): the row of words[i] into rows[first + i] */
static PyObject *new_rows(PyObject *self, PyObject *args) {
    PyObject *words_obj, *ngrams_obj, *list, *rows_obj;
    Py_ssize_t first;
    if (!PyArg_ParseTuple(args, "OOO!On", &words_obj, &ngrams_obj, &PyList_Type, &list, &rows_obj, &first))
        return NULL;
    Table words, ngrams;
    if (open_table(words_obj, &words) < 0) return NULL;
    if (open_table(ngrams_obj, &ngrams) < 0) {
        release_table(&words);
        return NULL;
    }
    Py_buffer rows = {0};
    PyObject *result = NULL;
    unsigned char *buf = NULL;
    Py_ssize_t *offset = NULL, *pos = NULL, *lo = NULL;
    uint64_t *keys = NULL;
    float *tmp = NULL;
    if (rows_buffer(rows_obj, &rows) < 0) goto done;
    Py_ssize_t n = PyList_GET_SIZE(list), n_rows = rows.shape[0], n_langs = rows.shape[1], longest = 0;
    if (first < 0 || first + n > n_rows) {
        PyErr_SetString(PyExc_IndexError, "the words' rows would be outside rows");
        goto done;
    }
    for (Py_ssize_t i = 0; i < n; i++) {
        PyObject *word = PyList_GET_ITEM(list, i);
        if (!PyUnicode_Check(word)) {
            PyErr_SetString(PyExc_TypeError, "words must be a list of str");
            goto done;
        }
        if (PyUnicode_GET_LENGTH(word) > longest) longest = PyUnicode_GET_LENGTH(word);
    }
    buf = PyMem_Malloc((size_t)(longest + 2) * 4);
    offset = PyMem_Malloc((size_t)(longest + 3) * sizeof(Py_ssize_t));
    tmp = PyMem_Malloc((size_t)(n_langs ? n_langs : 1) * sizeof(float));
    /* keys and positions: the words' (n), then a word's n-grams' (at most a gram per point) */
    Py_ssize_t grams = longest + 3, room = n + grams;
    keys = PyMem_Malloc((size_t)room * sizeof(uint64_t));
    pos = PyMem_Malloc((size_t)room * sizeof(Py_ssize_t));
    lo = PyMem_Malloc((size_t)(n > grams ? n : grams) * sizeof(Py_ssize_t));
    if (buf == NULL || offset == NULL || tmp == NULL || keys == NULL || pos == NULL || lo == NULL) {
        PyErr_NoMemory();
        goto done;
    }
    float *r = (float *)rows.buf;
    /* the word model first, for all the words together; then the n-grams of each word it does not have */
    for (Py_ssize_t i = 0; i < n; i++) {
        Py_ssize_t n_points = padded_utf8(PyList_GET_ITEM(list, i), buf, offset);
        keys[i] = XXH3_64bits(buf + offset[1], (size_t)(offset[n_points - 1] - offset[1]));
    }
    find_many(&words, keys, n, pos, lo);
    for (Py_ssize_t i = 0; i < n; i++) {
        float *row = r + (first + i) * n_langs;
        if (pos[i] >= 0) {
            write_row(&words, pos[i], row, n_langs);
        } else {
            Py_ssize_t n_points = padded_utf8(PyList_GET_ITEM(list, i), buf, offset);
            backoff_row(&ngrams, buf, offset, n_points, row, tmp, n_langs, keys + n, pos + n, lo);
        }
    }
    result = Py_None;
    Py_INCREF(result);
done:
    PyMem_Free(buf);
    PyMem_Free(offset);
    PyMem_Free(tmp);
    PyMem_Free(keys);
    PyMem_Free(pos);
    PyMem_Free(lo);
    release_table(&words);
    release_table(&ngrams);
    if (rows.obj) PyBuffer_Release(&rows);
    return result;
}

/* split_words(lowered, kept, classify) -> list[str] | None: heliport's words of a lower-cased text (runs of the
 * characters it keeps: letters, marks, '#', and a few signs; `_NON_ALPHA`), or None when the text has a kept
 * character from U+2E80 on (CJK may need heliport's spacing: the caller's Python path). `kept`: a bytearray of
 * 0x110000 bytes, 1 kept, 2 not, 0 not yet known: then `classify(codepoint)` says, and the answer is written in. */
static PyObject *split_words(PyObject *self, PyObject *args) {
    PyObject *text, *kept_obj, *classify;
    if (!PyArg_ParseTuple(args, "UOO", &text, &kept_obj, &classify)) return NULL;
    Py_buffer kept;
    if (PyObject_GetBuffer(kept_obj, &kept, PyBUF_C_CONTIGUOUS | PyBUF_WRITABLE) < 0) return NULL;
    PyObject *list = NULL;
    if (kept.len != 0x110000) {
        PyErr_SetString(PyExc_ValueError, "kept must have one byte per code point (0x110000)");
        goto fail;
    }
    unsigned char *known = (unsigned char *)kept.buf;
    int kind = PyUnicode_KIND(text);
    const void *data = PyUnicode_DATA(text);
    Py_ssize_t n = PyUnicode_GET_LENGTH(text), start = -1;
    list = PyList_New(0);
    if (list == NULL) goto fail;
    for (Py_ssize_t i = 0; i <= n; i++) {
        int keep = 0;
        if (i < n) {
            Py_UCS4 cp = PyUnicode_READ(kind, data, i);
            if (known[cp] == 0) {
                PyObject *answer = PyObject_CallFunction(classify, "I", (unsigned int)cp);
                if (answer == NULL) goto fail;
                int truth = PyObject_IsTrue(answer);
                Py_DECREF(answer);
                if (truth < 0) goto fail;
                known[cp] = truth ? 1 : 2;
            }
            keep = known[cp] == 1 && !Py_UNICODE_ISSPACE(cp);
            if (keep && cp >= 0x2E80) {
                Py_DECREF(list);
                PyBuffer_Release(&kept);
                Py_RETURN_NONE;
            }
        }
        if (keep && start < 0) start = i;
        if (!keep && start >= 0) {
            PyObject *word = PyUnicode_Substring(text, start, i);
            if (word == NULL || PyList_Append(list, word) < 0) {
                Py_XDECREF(word);
                goto fail;
            }
            Py_DECREF(word);
            start = -1;
        }
    }
    PyBuffer_Release(&kept);
    return list;
fail:
    Py_XDECREF(list);
    PyBuffer_Release(&kept);
    return NULL;
}

/* leading(points, k) -> [(index, score), ...]: the languages whose score is among the k lowest distinct scores, by
 * score and then index (numpy's stable argsort, cut after k levels) */
static PyObject *leading(PyObject *self, PyObject *args) {
    PyObject *points_obj;
    int k;
    if (!PyArg_ParseTuple(args, "Oi", &points_obj, &k)) return NULL;
    Py_buffer points;
    if (get(points_obj, &points, 4, 'f', "points") < 0) return NULL;
    const float *s = (const float *)points.buf;
    Py_ssize_t n = points.len / 4;
    PyObject *list = PyList_New(0);
    float last = 0.0f;
    for (int level = 0; list != NULL && level < k; level++) {
        int found = 0;
        float v = 0.0f;
        for (Py_ssize_t i = 0; i < n; i++)
            if ((level == 0 || s[i] > last) && (!found || s[i] < v)) v = s[i], found = 1;
        if (!found) break;
        for (Py_ssize_t i = 0; i < n; i++) {
            if (s[i] != v) continue;
            PyObject *pair = Py_BuildValue("nd", i, (double)v);
            if (pair == NULL || PyList_Append(list, pair) < 0) {
                Py_XDECREF(pair);
                Py_CLEAR(list);
                break;
            }
            Py_DECREF(pair);
        }
        last = v;
    }
    PyBuffer_Release(&points);
    return list;
}

/* best_and_lead(points, groups, unscored) -> (winner, best, lead): the last language with the lowest score, that
 * score, and min(unscored, the lowest score of the languages of another group) - best, in float32 */
static PyObject *best_and_lead(PyObject *self, PyObject *args) {
    PyObject *points_obj, *groups_obj;
    float unscored;
    if (!PyArg_ParseTuple(args, "OOf", &points_obj, &groups_obj, &unscored)) return NULL;
    Py_buffer points, groups;
    if (get(points_obj, &points, 4, 'f', "points") < 0) return NULL;
    if (get(groups_obj, &groups, 8, 'i', "groups") < 0) {
        PyBuffer_Release(&points);
        return NULL;
    }
    PyObject *result = NULL;
    const float *s = (const float *)points.buf;
    const int64_t *g = (const int64_t *)groups.buf;
    Py_ssize_t n = points.len / 4, winner = -1;
    if (groups.len / 8 != n || n == 0) {
        PyErr_SetString(PyExc_ValueError, "points and groups: one value per language, at least one language");
        goto done;
    }
    for (Py_ssize_t i = 0; i < n; i++)
        if (winner < 0 || s[i] <= s[winner]) winner = i;
    float second = unscored;
    for (Py_ssize_t i = 0; i < n; i++)
        if (g[i] != g[winner] && s[i] < second) second = s[i];
    float lead = second - s[winner];
    result = Py_BuildValue("ndd", winner, (double)s[winner], (double)lead);
done:
    PyBuffer_Release(&points);
    PyBuffer_Release(&groups);
    return result;
}

/* mean_of_words(rows, words, row_of, out) -> None | [word, ...]: with every word's row in the cache (`row_of`: word
 * -> row of `rows`), out = (its rows, added one after the other in the words' order) / len(words) in float32, and
 * None; else the words without a row, each once, in order of appearance (out untouched). */
static PyObject *mean_of_words(PyObject *self, PyObject *args) {
    PyObject *rows_obj, *words, *row_of, *out_obj;
    if (!PyArg_ParseTuple(args, "OO!O!O", &rows_obj, &PyList_Type, &words, &PyDict_Type, &row_of, &out_obj)) return NULL;
    Py_ssize_t n = PyList_GET_SIZE(words);
    PyObject *missing = NULL, *seen = NULL;
    for (Py_ssize_t i = 0; i < n; i++) {
        PyObject *word = PyList_GET_ITEM(words, i);
        PyObject *slot = PyDict_GetItemWithError(row_of, word);
        if (slot != NULL) continue;
        if (PyErr_Occurred()) goto fail;
        if (missing == NULL && ((missing = PyList_New(0)) == NULL || (seen = PySet_New(NULL)) == NULL)) goto fail;
        int known = PySet_Contains(seen, word);
        if (known < 0) goto fail;
        if (!known && (PySet_Add(seen, word) < 0 || PyList_Append(missing, word) < 0)) goto fail;
    }
    if (missing != NULL) {
        Py_DECREF(seen);
        return missing;
    }
    Py_buffer rows, out;
    if (rows_buffer(rows_obj, &rows) < 0) return NULL;
    if (PyObject_GetBuffer(out_obj, &out, PyBUF_C_CONTIGUOUS | PyBUF_FORMAT | PyBUF_WRITABLE) < 0) {
        PyBuffer_Release(&rows);
        return NULL;
    }
    PyObject *result = NULL;
    Py_ssize_t n_rows = rows.shape[0], n_langs = rows.shape[1];
    if (out.itemsize != 4 || out.len / 4 != n_langs || out.format == NULL || strcmp(out.format, "f") != 0 || n == 0) {
        PyErr_SetString(PyExc_ValueError, "out must be float32 with one value per column of rows, and words not empty");
        goto done;
    }
    const float *r = (const float *)rows.buf;
    float *o = (float *)out.buf;
    for (Py_ssize_t i = 0; i < n; i++) {
        PyObject *found = PyDict_GetItemWithError(row_of, PyList_GET_ITEM(words, i));
        if (found == NULL) {
            if (!PyErr_Occurred()) PyErr_SetString(PyExc_KeyError, "a word lost its row while the mean was read");
            goto done;
        }
        Py_ssize_t slot = PyLong_AsSsize_t(found);
        if (slot == -1 && PyErr_Occurred()) goto done;
        if (slot < 0 || slot >= n_rows) {
            PyErr_SetString(PyExc_IndexError, "a word's row is outside rows");
            goto done;
        }
        const float *row = r + slot * n_langs;
        if (i == 0)
            memcpy(o, row, (size_t)n_langs * sizeof(float));
        else
            for (Py_ssize_t l = 0; l < n_langs; l++) o[l] = o[l] + row[l];
    }
    float count = (float)n;
    for (Py_ssize_t l = 0; l < n_langs; l++) o[l] = o[l] / count;
    result = Py_None;
    Py_INCREF(result);
done:
    PyBuffer_Release(&rows);
    PyBuffer_Release(&out);
    return result;
fail:
    Py_XDECREF(missing);
    Py_XDECREF(seen);
    return NULL;
}

static PyMethodDef methods[] = {
    {"new_rows", new_rows, METH_VARARGS,
     "new_rows(words_table, ngrams_table, words, rows, first): each word's row (the word model's entry, else the\n"
     "mean of its n-grams' of the longest order with any, else zeros) into rows[first + i]"},
    {"split_words", split_words, METH_VARARGS,
     "split_words(lowered, kept, classify) -> list[str] | None: heliport's words of a lower-cased text (None from\n"
     "U+2E80 on: the caller's CJK path); kept: bytearray(0x110000) of 0 unknown, 1 kept, 2 not, filled by classify"},
    {"leading", leading, METH_VARARGS,
     "leading(points, k) -> [(index, score), ...]: the languages among the k lowest distinct scores, by score then\n"
     "index"},
    {"best_and_lead", best_and_lead, METH_VARARGS,
     "best_and_lead(points, groups, unscored) -> (winner, best, lead): the last lowest score's language, the score,\n"
     "and min(unscored, the lowest of another group) - best in float32"},
    {"mean_of_words", mean_of_words, METH_VARARGS,
     "mean_of_words(rows, words, row_of, out) -> None | [word, ...]: the float32 mean of the words' cached rows into\n"
     "out (None), or the words without a row, each once, in order"},
    {NULL, NULL, 0, NULL},
};

static struct PyModuleDef module = {PyModuleDef_HEAD_INIT, "_heliport", "langid.heliport_scorer's look-ups in C", -1,
                                    methods};

PyMODINIT_FUNC PyInit__heliport(void) { return PyModule_Create(&module); }
