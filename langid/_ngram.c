/* The n-gram classifier's features and score sum (`langid.ngram_model`) in C: the same bucket ids in the same order
 * and the same float32 sums, bit for bit, as the numpy definition there, without numpy's per-call cost (a veto's
 * 60-character glance is ~40 numpy calls in Python, ~2 us here).
 *
 * The functions take the text lower-cased in its NFC form and read its letter runs (`text_words`) into the padded
 * text `featurise` builds: " " + " ".join(words) + " " (no two spaces meet). Features, in this order: the 1-grams (code points other than the space) in text order,
 * then for n = 2..max_n the n-grams starting at each point whose inner points hold no space (for n = 2 all), then,
 * with `words`, each word's CRC-32 of its UTF-8 bytes started from _WORD_SALT. Each is hashed with a polynomial
 * rolling hash over code points modulo 2**64, XORed with its order's salt, put through the splitmix64 finaliser and
 * reduced to a bucket. A score is bias + (row of the first feature + the next row + ...), summed in float32 in the
 * features' order, per label: what numpy's reduction along the outer axis gives.
 */
#define PY_SSIZE_T_CLEAN
#include <Python.h>
#include <stdint.h>
#include <string.h>

#include "utf8.h"

#define BASE 0x100000001B3ULL
#define MIX1 0xBF58476D1CE4E5B9ULL
#define MIX2 0x94D049BB133111EBULL
#define ORDER_SALT 0x9E3779B97F4A7C15ULL
#define WORD_SALT 0x5BD1E995UL
#define MAX_ORDER 8

static uint32_t crc_table[256];

static void crc_init(void) {
    for (uint32_t i = 0; i < 256; i++) {
        uint32_t c = i;
        for (int k = 0; k < 8; k++) c = (c & 1) ? 0xEDB88320UL ^ (c >> 1) : c >> 1;
        crc_table[i] = c;
    }
}

/* zlib.crc32(utf8 of points[0..n), start) */
static uint32_t crc32_points(const Py_UCS4 *points, Py_ssize_t n, uint32_t start) {
    uint32_t c = start ^ 0xFFFFFFFFUL;
    unsigned char buf[4];
    for (Py_ssize_t i = 0; i < n; i++) {
        int len = utf8_encode(points[i], buf);
        for (int k = 0; k < len; k++) c = crc_table[(c ^ buf[k]) & 0xFF] ^ (c >> 8);
    }
    return c ^ 0xFFFFFFFFUL;
}

static inline uint64_t mix(uint64_t h) {
    h ^= h >> 30;
    h *= MIX1;
    h ^= h >> 27;
    h *= MIX2;
    h ^= h >> 31;
    return h;
}

typedef struct {
    int min_n, max_n, words;
    uint64_t buckets;
} Spec;

static inline int64_t to_bucket(uint64_t h, uint64_t salt, uint64_t buckets) {
    h = mix(h ^ salt);
    return (int64_t)((buckets & (buckets - 1)) == 0 ? h & (buckets - 1) : h % buckets);
}

/* At most this many features of a text of `n_points` points: each order's n-grams and the words. */
static Py_ssize_t max_features(Py_ssize_t n_points, const Spec *spec) { return (spec->max_n + 1) * (n_points + 1); }

/* The features of `p` in order into `ids` (room for `max_features`); returns their number, or -1 (MemoryError).
 * `rolling[i]` holds the hash of the n-gram starting at i, one order after the other, as featurise's numpy does. */
static Py_ssize_t feature_ids(const Py_UCS4 *p, Py_ssize_t n_points, const Spec *spec, int64_t *ids) {
    Py_ssize_t n_ids = 0;
    uint64_t *rolling = PyMem_Malloc((size_t)(n_points ? n_points : 1) * sizeof(uint64_t));
    if (rolling == NULL) {
        PyErr_NoMemory();
        return -1;
    }
    for (Py_ssize_t i = 0; i < n_points; i++) rolling[i] = (uint64_t)p[i];
    for (int n = 1; n <= spec->max_n; n++) {
        Py_ssize_t count = n_points - n + 1;
        if (count <= 0) break;
        if (n > 1)
            for (Py_ssize_t i = 0; i < count; i++) rolling[i] = rolling[i] * BASE + (uint64_t)p[i + n - 1];
        if (n < spec->min_n) continue;
        uint64_t salt = (uint64_t)n * ORDER_SALT;
        if (n == 1) {
            for (Py_ssize_t i = 0; i < n_points; i++)
                if (p[i] != ' ') ids[n_ids++] = to_bucket(rolling[i], salt, spec->buckets);
            continue;
        }
        /* the n-gram at i: no space among p[i+1 .. i+n-2]; `spaces_inside` counts them as the window slides */
        Py_ssize_t spaces_inside = 0;
        for (Py_ssize_t k = 1; k <= n - 2; k++) spaces_inside += p[k] == ' ';
        for (Py_ssize_t i = 0; i < count; i++) {
            if (i > 0 && n > 2) spaces_inside += (p[i + n - 2] == ' ') - (p[i] == ' ');
            if (!spaces_inside) ids[n_ids++] = to_bucket(rolling[i], salt, spec->buckets);
        }
    }
    PyMem_Free(rolling);
    if (spec->words) {
        Py_ssize_t start = -1;
        for (Py_ssize_t i = 0; i <= n_points; i++) {
            int space = i == n_points || p[i] == ' ';
            if (!space && start < 0) start = i;
            if (space && start >= 0) {
                ids[n_ids++] = to_bucket(crc32_points(p + start, i - start, WORD_SALT), ORDER_SALT, spec->buckets);
                start = -1;
            }
        }
    }
    return n_ids;
}

/* `text`'s letter runs (what `re`'s [^\W\d_]+ finds: alphanumeric but not a decimal digit) between single spaces,
 * " w1 w2 ... ", as `padded_words` builds it, into a new buffer (PyMem_Free it); *n_points 0 without a letter. */
static Py_UCS4 *padded_letters(PyObject *text, Py_ssize_t *n_points) {
    int kind = PyUnicode_KIND(text);
    const void *data = PyUnicode_DATA(text);
    Py_ssize_t n = PyUnicode_GET_LENGTH(text), at = 0;
    Py_UCS4 *points = PyMem_Malloc((size_t)(2 * n + 2) * sizeof(Py_UCS4));
    if (points == NULL) {
        PyErr_NoMemory();
        return NULL;
    }
    int in_word = 0;
    for (Py_ssize_t i = 0; i < n; i++) {
        Py_UCS4 cp = PyUnicode_READ(kind, data, i);
        int letter = Py_UNICODE_ISALNUM(cp) && !Py_UNICODE_ISDECIMAL(cp) && cp != '_';
        if (letter) {
            if (!in_word) points[at++] = ' ';
            points[at++] = cp;
        }
        in_word = letter;
    }
    if (at) points[at++] = ' ';
    *n_points = at;
    return points;
}

/* The features' ids of the lower-cased, NFC text `text` in a new buffer (PyMem_Free it); NULL with an exception. */
static int64_t *text_ids(PyObject *text, const Spec *spec, Py_ssize_t *n_ids) {
    Py_ssize_t n_points = 0;
    Py_UCS4 *points = padded_letters(text, &n_points);
    if (points == NULL) return NULL;
    int64_t *ids = PyMem_Malloc((size_t)max_features(n_points, spec) * sizeof(int64_t));
    *n_ids = 0;
    if (ids == NULL) {
        PyErr_NoMemory();
    } else if (n_points && (*n_ids = feature_ids(points, n_points, spec, ids)) < 0) {
        PyMem_Free(ids);
        ids = NULL;
    }
    PyMem_Free(points);
    return ids;
}

static int parse_spec(int min_n, int max_n, unsigned long long buckets, int words, Spec *spec) {
    if (min_n < 1 || min_n > max_n || max_n > MAX_ORDER) {
        PyErr_Format(PyExc_ValueError, "n-gram orders must satisfy 1 <= min_n <= max_n <= %d", MAX_ORDER);
        return -1;
    }
    if (buckets < 2) {
        PyErr_SetString(PyExc_ValueError, "buckets must be at least 2");
        return -1;
    }
    spec->min_n = min_n;
    spec->max_n = max_n;
    spec->buckets = buckets;
    spec->words = words;
    return 0;
}

/* -- features(lowered, min_n, max_n, buckets, words) -> bytes of int64 bucket ids --------------------------- */

static PyObject *features(PyObject *self, PyObject *args) {
    PyObject *text;
    int min_n, max_n, words;
    unsigned long long buckets;
    Spec spec;
    if (!PyArg_ParseTuple(args, "UiiKp", &text, &min_n, &max_n, &buckets, &words)) return NULL;
    if (parse_spec(min_n, max_n, buckets, words, &spec) < 0) return NULL;
    Py_ssize_t n_ids = 0;
    int64_t *ids = text_ids(text, &spec, &n_ids);
    if (ids == NULL) return NULL;
    PyObject *result = PyBytes_FromStringAndSize((const char *)ids, n_ids * (Py_ssize_t)sizeof(int64_t));
    PyMem_Free(ids);
    return result;
}

#if defined(__GNUC__) || defined(__clang__)
#define PREFETCH(address) __builtin_prefetch(address)
#else
#define PREFETCH(address) ((void)0)
#endif
#define AHEAD 16 /* rows asked from memory this many features before they are added */

/* Asks for the cache lines of a row ahead of its use: a text's rows are scattered over a table larger than the CPU's
 * caches, and between other work few are cached (in a run, asking 16 rows ahead took a third off the sums) */
static inline void prefetch_row(const float *row, Py_ssize_t labels) {
    const char *start = (const char *)row;
    Py_ssize_t bytes = labels * (Py_ssize_t)sizeof(float);
    for (Py_ssize_t at = 0; at < bytes; at += 64) PREFETCH(start + at);
    PREFETCH(start + bytes - 1);
}

/* acc = row[ids[0]] + row[ids[1]] + ... (n >= 1), per label, in float32, one row after the other. */
static void sum_rows(const float *table, Py_ssize_t labels, const int64_t *ids, Py_ssize_t n, float *acc) {
    for (Py_ssize_t f = 0; f < n && f < AHEAD; f++) prefetch_row(table + ids[f] * labels, labels);
    memcpy(acc, table + ids[0] * labels, (size_t)labels * sizeof(float));
    for (Py_ssize_t f = 1; f < n; f++) {
        if (f + AHEAD < n) prefetch_row(table + ids[f + AHEAD] * labels, labels);
        const float *row = table + ids[f] * labels;
        for (Py_ssize_t l = 0; l < labels; l++) acc[l] = acc[l] + row[l];
    }
}

/* -- scores(lowered, min_n, max_n, buckets, words, table, bias, out) -> number of features ------------------ */

static int float_buffer(PyObject *obj, Py_buffer *view, int writable, const char *name) {
    if (PyObject_GetBuffer(obj, view, PyBUF_C_CONTIGUOUS | PyBUF_FORMAT | (writable ? PyBUF_WRITABLE : 0)) < 0)
        return -1;
    if (view->itemsize != 4 || view->format == NULL || strcmp(view->format, "f") != 0) {
        PyErr_Format(PyExc_TypeError, "%s must be a C-contiguous float32 array", name);
        PyBuffer_Release(view);
        return -1;
    }
    return 0;
}

static PyObject *scores(PyObject *self, PyObject *args) {
    PyObject *text, *table_obj, *bias_obj, *out_obj;
    int min_n, max_n, words;
    unsigned long long buckets;
    Spec spec;
    if (!PyArg_ParseTuple(args, "UiiKpOOO", &text, &min_n, &max_n, &buckets, &words, &table_obj, &bias_obj, &out_obj))
        return NULL;
    if (parse_spec(min_n, max_n, buckets, words, &spec) < 0) return NULL;
    Py_buffer table, bias, out;
    if (float_buffer(table_obj, &table, 0, "table") < 0) return NULL;
    if (float_buffer(bias_obj, &bias, 0, "bias") < 0) {
        PyBuffer_Release(&table);
        return NULL;
    }
    if (float_buffer(out_obj, &out, 1, "out") < 0) {
        PyBuffer_Release(&table);
        PyBuffer_Release(&bias);
        return NULL;
    }
    PyObject *result = NULL;
    Py_ssize_t labels = bias.len / 4, n_ids = 0;
    float *acc = NULL;
    int64_t *ids = NULL;
    if (table.ndim != 2 || table.shape[0] != (Py_ssize_t)buckets || table.shape[1] != labels || out.len / 4 != labels) {
        PyErr_SetString(PyExc_ValueError, "table must be (buckets, labels) and bias and out (labels,)");
        goto done;
    }
    acc = PyMem_Malloc((size_t)(labels ? labels : 1) * sizeof(float));
    if (acc == NULL) {
        PyErr_NoMemory();
        goto done;
    }
    ids = text_ids(text, &spec, &n_ids);
    if (ids == NULL) goto done;
    if (n_ids) sum_rows((const float *)table.buf, labels, ids, n_ids, acc);
    const float *b = (const float *)bias.buf;
    float *o = (float *)out.buf;
    for (Py_ssize_t l = 0; l < labels; l++) o[l] = n_ids ? b[l] + acc[l] : b[l];
    result = PyLong_FromSsize_t(n_ids);
done:
    PyMem_Free(ids);
    PyMem_Free(acc);
    PyBuffer_Release(&table);
    PyBuffer_Release(&bias);
    PyBuffer_Release(&out);
    return result;
}

/* -- lead(scores, is_eu) -> (index, lead) ---------------------------------------------------------------------- */

/* The first label with the highest score among those not flagged in `is_eu`, and its score minus the highest flagged
 * one, in float32 (what numpy's argmax over the others and max over the flagged give). */
static PyObject *lead(PyObject *self, PyObject *args) {
    PyObject *scores_obj, *mask_obj;
    if (!PyArg_ParseTuple(args, "OO", &scores_obj, &mask_obj)) return NULL;
    Py_buffer scores, mask;
    if (float_buffer(scores_obj, &scores, 0, "scores") < 0) return NULL;
    if (PyObject_GetBuffer(mask_obj, &mask, PyBUF_C_CONTIGUOUS) < 0) {
        PyBuffer_Release(&scores);
        return NULL;
    }
    PyObject *result = NULL;
    Py_ssize_t n = scores.len / 4;
    const float *s = (const float *)scores.buf;
    const unsigned char *eu = (const unsigned char *)mask.buf;
    Py_ssize_t best = -1, best_eu = -1;
    if (mask.len != n) {
        PyErr_SetString(PyExc_ValueError, "is_eu must have one byte per score");
        goto done;
    }
    for (Py_ssize_t i = 0; i < n; i++) {
        if (eu[i]) {
            if (best_eu < 0 || s[i] > s[best_eu]) best_eu = i;
        } else if (best < 0 || s[i] > s[best]) {
            best = i;
        }
    }
    if (best < 0 || best_eu < 0) {
        PyErr_SetString(PyExc_ValueError, "lead needs a flagged label and one that is not");
        goto done;
    }
    float difference = s[best] - s[best_eu];
    result = Py_BuildValue("nd", best, (double)difference);
done:
    PyBuffer_Release(&scores);
    PyBuffer_Release(&mask);
    return result;
}

static PyMethodDef methods[] = {
    {"features", features, METH_VARARGS,
     "features(lowered, min_n, max_n, buckets, words) -> bytes: the int64 bucket ids featurise gives the text\n"
     "`lowered` is the NFC form of, lower-cased, in its order"},
    {"scores", scores, METH_VARARGS,
     "scores(lowered, min_n, max_n, buckets, words, table, bias, out) -> int: writes bias + the float32 sum of the\n"
     "features' rows of table (buckets x labels) into out; returns the number of features"},
    {"lead", lead, METH_VARARGS,
     "lead(scores, is_eu) -> (index, lead): the first best label not flagged in is_eu (uint8 per label) and its\n"
     "float32 score minus the best flagged one's"},
    {NULL, NULL, 0, NULL},
};

static struct PyModuleDef module = {PyModuleDef_HEAD_INIT, "_ngram", "langid.ngram_model's features and sums in C",
                                    -1, methods};

PyMODINIT_FUNC PyInit__ngram(void) {
    crc_init();
    return PyModule_Create(&module);
}
