/* heliport's table look-ups (`langid.heliport_scorer`) in C: the same rows, bit for bit, as the numpy definition
 * there (`NgramTable.find` and `.scatter`, `MappedHeliport._score_words` and `._backoff_rows`), without numpy's
 * per-call cost (a text's new words were ~10 numpy calls per n-gram order).
 *
 * A table: `hashes` (uint64, sorted, unique), `buckets` (uint32, 2**bits + 1: the first key of each bucket of the
 * hashes' top bits), `offsets` (uint32, len(hashes) + 1: each key's run) and the runs' `langs` (uint8) and `probs`
 * (float32). A key's row is PENALTY for every language, then the run's (language, probability) pairs written in.
 */
#define PY_SSIZE_T_CLEAN
#include <Python.h>
#include <stdint.h>
#include <string.h>

#define PENALTY 7.0f

typedef struct {
    Py_buffer hashes, buckets, offsets, langs, probs;
    int shift;
    Py_ssize_t n_keys;
} Table;

static int get(PyObject *obj, Py_buffer *view, Py_ssize_t itemsize, char kind, const char *name) {
    if (PyObject_GetBuffer(obj, view, PyBUF_C_CONTIGUOUS | PyBUF_FORMAT) < 0) return -1;
    const char *f = view->format;
    if (f != NULL && (*f == '<' || *f == '=' || *f == '@')) f++;
    int kind_ok = f != NULL && (kind == 'f' ? *f == 'f' : (kind == 'u' ? strchr("BHILQ", *f) != NULL : strchr("bhilq", *f) != NULL));
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

/* The position of `key` in the table, or -1. Only the key's own bucket (its top bits) can hold it. */
static inline Py_ssize_t find(const Table *t, uint64_t key) {
    if (t->n_keys == 0) return -1;
    const uint64_t *hashes = (const uint64_t *)t->hashes.buf;
    const uint32_t *buckets = (const uint32_t *)t->buckets.buf;
    uint64_t b = t->shift >= 64 ? 0 : key >> t->shift;
    for (Py_ssize_t c = buckets[b], end = buckets[b + 1]; c < end; c++) {
        if (hashes[c] == key) return c;
        if (hashes[c] > key) break;
    }
    return -1;
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

/* word_rows(table, keys, rows, slots, hit): rows[slots[i]] = PENALTY, then key i's run when the table has it
 * (hit[i] = 1) */
static PyObject *word_rows(PyObject *self, PyObject *args) {
    PyObject *table_obj, *keys_obj, *rows_obj, *slots_obj, *hit_obj;
    if (!PyArg_ParseTuple(args, "OOOOO", &table_obj, &keys_obj, &rows_obj, &slots_obj, &hit_obj)) return NULL;
    Table t;
    if (open_table(table_obj, &t) < 0) return NULL;
    Py_buffer keys = {0}, rows = {0}, slots = {0}, hit = {0};
    PyObject *result = NULL;
    if (get(keys_obj, &keys, 8, 'u', "keys") < 0) goto done;
    if (rows_buffer(rows_obj, &rows) < 0) goto done;
    if (get(slots_obj, &slots, 8, 'i', "slots") < 0) goto done;
    if (PyObject_GetBuffer(hit_obj, &hit, PyBUF_C_CONTIGUOUS | PyBUF_WRITABLE) < 0) goto done;
    Py_ssize_t n = keys.len / 8, n_rows = rows.shape[0], n_langs = rows.shape[1];
    if (slots.len / 8 != n || hit.len != n) {
        PyErr_SetString(PyExc_ValueError, "keys, slots and hit must have one entry per key");
        goto done;
    }
    const uint64_t *k = (const uint64_t *)keys.buf;
    const int64_t *s = (const int64_t *)slots.buf;
    for (Py_ssize_t i = 0; i < n; i++)
        if (s[i] < 0 || s[i] >= n_rows) {
            PyErr_SetString(PyExc_IndexError, "a slot is outside rows");
            goto done;
        }
    float *r = (float *)rows.buf;
    uint8_t *h = (uint8_t *)hit.buf;
    for (Py_ssize_t i = 0; i < n; i++) {
        Py_ssize_t pos = find(&t, k[i]);
        float *row = r + s[i] * n_langs;
        if (pos >= 0) {
            write_row(&t, pos, row, n_langs);
            h[i] = 1;
        } else {
            for (Py_ssize_t l = 0; l < n_langs; l++) row[l] = PENALTY;
            h[i] = 0;
        }
    }
    result = Py_None;
    Py_INCREF(result);
done:
    release_table(&t);
    if (keys.obj) PyBuffer_Release(&keys);
    if (rows.obj) PyBuffer_Release(&rows);
    if (slots.obj) PyBuffer_Release(&slots);
    if (hit.obj) PyBuffer_Release(&hit);
    return result;
}

/* backoff_order(table, keys, owners, out) -> list of the owners settled: the n-grams `keys` of one order, of the
 * words `owners` (non-decreasing row indices of `out`); a word with any n-gram in the table gets, in its row of
 * `out`, the float32 mean of those n-grams' rows, summed one after the other in their order. */
static PyObject *backoff_order(PyObject *self, PyObject *args) {
    PyObject *table_obj, *keys_obj, *owners_obj, *out_obj;
    if (!PyArg_ParseTuple(args, "OOOO", &table_obj, &keys_obj, &owners_obj, &out_obj)) return NULL;
    Table t;
    if (open_table(table_obj, &t) < 0) return NULL;
    Py_buffer keys = {0}, owners = {0}, out = {0};
    PyObject *settled = NULL;
    float *row = NULL;
    if (get(keys_obj, &keys, 8, 'u', "keys") < 0) goto done;
    if (get(owners_obj, &owners, 8, 'i', "owners") < 0) goto done;
    if (rows_buffer(out_obj, &out) < 0) goto done;
    Py_ssize_t n = keys.len / 8, n_rows = out.shape[0], n_langs = out.shape[1];
    const uint64_t *k = (const uint64_t *)keys.buf;
    const int64_t *o = (const int64_t *)owners.buf;
    if (owners.len / 8 != n) {
        PyErr_SetString(PyExc_ValueError, "keys and owners must have the same length");
        goto done;
    }
    for (Py_ssize_t i = 0; i < n; i++)
        if (o[i] < 0 || o[i] >= n_rows || (i > 0 && o[i] < o[i - 1])) {
            PyErr_SetString(PyExc_ValueError, "owners must be non-decreasing row indices of out");
            goto done;
        }
    settled = PyList_New(0);
    row = PyMem_Malloc((size_t)(n_langs ? n_langs : 1) * sizeof(float));
    if (settled == NULL || row == NULL) {
        if (row == NULL) PyErr_NoMemory();
        Py_CLEAR(settled);
        goto done;
    }
    float *dest = (float *)out.buf;
    for (Py_ssize_t i = 0; i < n;) {
        Py_ssize_t j = i;
        int64_t w = o[i];
        float *acc = dest + w * n_langs;
        long count = 0;
        for (; j < n && o[j] == w; j++) {
            Py_ssize_t pos = find(&t, k[j]);
            if (pos < 0) continue;
            if (count == 0) {
                write_row(&t, pos, acc, n_langs);
            } else {
                write_row(&t, pos, row, n_langs);
                for (Py_ssize_t l = 0; l < n_langs; l++) acc[l] = acc[l] + row[l];
            }
            count++;
        }
        if (count) {
            float c = (float)count;
            for (Py_ssize_t l = 0; l < n_langs; l++) acc[l] = acc[l] / c;
            PyObject *item = PyLong_FromLongLong(w);
            if (item == NULL || PyList_Append(settled, item) < 0) {
                Py_XDECREF(item);
                Py_CLEAR(settled);
                goto done;
            }
            Py_DECREF(item);
        }
        i = j;
    }
done:
    PyMem_Free(row);
    release_table(&t);
    if (keys.obj) PyBuffer_Release(&keys);
    if (owners.obj) PyBuffer_Release(&owners);
    if (out.obj) PyBuffer_Release(&out);
    return settled;
}

/* mean_rows(rows, slots, out): out = (rows[slots[0]] + rows[slots[1]] + ...) / len(slots), in float32, the rows
 * added one after the other (`slots`: a list of row indices) */
static PyObject *mean_rows(PyObject *self, PyObject *args) {
    PyObject *rows_obj, *slots, *out_obj;
    if (!PyArg_ParseTuple(args, "OO!O", &rows_obj, &PyList_Type, &slots, &out_obj)) return NULL;
    Py_buffer rows, out;
    if (rows_buffer(rows_obj, &rows) < 0) return NULL;
    if (PyObject_GetBuffer(out_obj, &out, PyBUF_C_CONTIGUOUS | PyBUF_FORMAT | PyBUF_WRITABLE) < 0) {
        PyBuffer_Release(&rows);
        return NULL;
    }
    PyObject *result = NULL;
    Py_ssize_t n = PyList_GET_SIZE(slots), n_rows = rows.shape[0], n_langs = rows.shape[1];
    if (out.itemsize != 4 || out.len / 4 != n_langs || out.format == NULL || strcmp(out.format, "f") != 0 || n == 0) {
        PyErr_SetString(PyExc_ValueError, "out must be float32 with one value per column of rows, and slots not empty");
        goto done;
    }
    const float *r = (const float *)rows.buf;
    float *o = (float *)out.buf;
    for (Py_ssize_t i = 0; i < n; i++) {
        Py_ssize_t slot = PyLong_AsSsize_t(PyList_GET_ITEM(slots, i));
        if (slot == -1 && PyErr_Occurred()) goto done;
        if (slot < 0 || slot >= n_rows) {
            PyErr_SetString(PyExc_IndexError, "a slot is outside rows");
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
}

static PyMethodDef methods[] = {
    {"word_rows", word_rows, METH_VARARGS,
     "word_rows(table, keys, rows, slots, hit): each key's row (PENALTY, then its run) into rows[slots[i]]; hit[i]\n"
     "says whether the table has key i"},
    {"backoff_order", backoff_order, METH_VARARGS,
     "backoff_order(table, keys, owners, out) -> [owner, ...]: the mean row of each owner's n-grams found, into\n"
     "out[owner]; returns the owners that had any"},
    {"mean_rows", mean_rows, METH_VARARGS,
     "mean_rows(rows, slots, out): the float32 mean of rows[slots[0]], rows[slots[1]], ... (added in that order)"},
    {NULL, NULL, 0, NULL},
};

static struct PyModuleDef module = {PyModuleDef_HEAD_INIT, "_heliport", "langid.heliport_scorer's look-ups in C", -1,
                                    methods};

PyMODINIT_FUNC PyInit__heliport(void) { return PyModule_Create(&module); }
