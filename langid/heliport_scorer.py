"""heliport's scoring (HeLI-OTS) over memory-mapped n-gram tables: the same labels and raw scores, bit for bit.

Owns reading a text the way heliport 1.x does (lowercase, non-letters to spaces, CJK spacing; each word scored by
the word model, else by the longest n-gram order with a hit, a 7.0 penalty for languages without the n-gram; mean
over words in float32, summed in heliport's order) and its two answers (`identify_with_score`, lead over the
runner-up with the confidence thresholds; `identify_topk_with_score`). Building and checking the tables is
`langid.heliport_tables`; when to ask heliport is `langid.long_tail`'s and `langid.identifier`'s decision.
"""

from __future__ import annotations

from itertools import repeat
from typing import Final

import numpy as np
import regex
import xxhash

try:  # the look-ups in C, built at install (langid/_heliport.c); tests hold them equal to the numpy ones bit for bit
    from eurocurate.langid import _heliport as _native
except ImportError:  # not compiled (no C compiler where eurocurate was installed): numpy, the definition below
    _native = None

# heliport-model's `Lang` enum, in its order (the tables store languages by index; ties go by this order).
HELIPORT_LANGS: Final = tuple(
    """abk ace adz afr aii ame amh amr ara arl arn asm ayr aze bak bar bcl bel ben boa bod bpy bre bul cat cbu cdo
    ceb ces che chk cho chr chv chy ckb cmn cnh cor cos cym dan deu dik diq div ell eng epo est estvro eus ewe
    ext fao fij fin fini fink finl finm fino finp finr fins fint finx fon fra fry gaz gla gle glg glv gom grn gsw
    guj hat hbs hbsbos hbshrv hbssrp heb hin hmo hsb hun hus huu hye ibo ido iku ilo ina isl ita izh jpn kac kal
    kan kat kaz kbd kbp kca khm kir kmr knc koi kor kpv krc ksh lao lat lav lin lit liv lmo ltz lud lug luo lus
    mal mar mcd mcf mdf mhr mkd mlg mlt mns mon mri mrj msa msaind msamalay msamin msazsm mwl mya myv nav nep nhn
    nio nld nno nob nso nus oci olo ori oss pag pam pan pbt pes pfl pli pms pnb pol pon por que roh ron rus sag
    sagb sah sat scn sgs shk shn sin sjd sjk sju slk slv sma sme smj smn sms sna snd som sot spa sqi srd swa swe
    tam tat tca tel tet tgk tgl tha tir tso tuk tur twi tzh udm uig ukr undhtml und ura urd uzn vie vls vol vot
    war wln xmf yid yrk yor zul zxx""".split()
)
# Variants heliport reports as their macrolanguage (`Lang::collapse`)
_COLLAPSE: Final = {
    **dict.fromkeys("fini fink finl finm fino finp finr fins fint finx".split(), "fin"),
    **dict.fromkeys("hbsbos hbshrv hbssrp".split(), "hbs"),
    **dict.fromkeys("msaind msamalay msamin msazsm".split(), "msa"),
    "estvro": "est",
    "sagb": "sag",
    "undhtml": "und",
}
COLLAPSED: Final = tuple(_COLLAPSE.get(code, code) for code in HELIPORT_LANGS)
ORDERS: Final = ("word", "unigram", "bigram", "trigram", "quadgram", "quingram", "hexagram")  # index = n-gram order
PENALTY: Final = np.float32(7.0)  # heliport's score of a language without the n-gram
_UNSCORED: Final = np.float32(8.0)  # PENALTY + 1: above any score (start of the search, CJK penalty)
_CJK_LANGS: Final = np.array([c in ("jpn", "kor", "cmn", "cdo") for c in HELIPORT_LANGS])
_INDEX: Final = {code: i for i, code in enumerate(HELIPORT_LANGS)}
_RUN_BOUNDS: Final = np.array([0, 1])  # an entry's run of (language, probability) pairs: offsets[i]..offsets[i + 1]
_CACHED_TEXTS: Final = 1024  # texts whose scores a scorer keeps (~1 KB each)

# heliport's RE_NON_ALPHA, as written there (`#gc` included: '#' is kept), characters it keeps beside letters and marks
_KEPT: Final = "′'’´ʹािीुूृेैोौंँः् া ি ী ু ূ ৃ ে ৈ ো ৌ।্্্я̄" + "".join(
    map(chr, [*range(0x07A6, 0x07B1), *range(0x0A81, 0x0A84), *range(0x0ABC, 0x0AC6), *range(0x0AC6, 0x0AF2)])
)
_NON_ALPHA: Final = regex.compile(r"[^#gc\p{L}\p{M}" + regex.escape(_KEPT) + "]")


def _keeps(codepoint: int) -> bool:
    """Whether heliport keeps the character (`_NON_ALPHA` does not match it): what `_SPACING` and
    `_heliport.split_words` ask of a character they meet the first time."""
    return _NON_ALPHA.match(chr(codepoint)) is None


class _Spacing(dict):
    """str.translate table: a character heliport removes -> space, one it keeps -> itself (filled as met)."""

    def __missing__(self, codepoint: int) -> int:
        self[codepoint] = codepoint if _keeps(codepoint) else 32
        return self[codepoint]


_SPACING: Final = _Spacing()


# per code point: 0 not yet asked, 1 kept, 2 spaced out (`_heliport.split_words` fills it; untouched pages cost nothing)
_KEPT_BY_CODEPOINT: Final = bytearray(0x110000)
# the 17 CJK_* Unicode blocks heliport spaces apart and counts (not Hangul or Kana)
_CJK_BLOCKS: Final = (
    (0x2E80, 0x2EFF), (0x3000, 0x303F), (0x31C0, 0x31EF), (0x3300, 0x33FF), (0x3400, 0x4DBF),
    (0x4E00, 0x9FFF), (0xF900, 0xFAFF), (0xFE30, 0xFE4F), (0x20000, 0x2A6DF), (0x2A700, 0x2B73F),
    (0x2B740, 0x2B81F), (0x2B820, 0x2CEAF), (0x2CEB0, 0x2EBEF), (0x2EBF0, 0x2EE5F), (0x2F800, 0x2FA1F),
    (0x30000, 0x3134F), (0x31350, 0x323AF),
)  # fmt: skip
_FIRST_CJK: Final = chr(_CJK_BLOCKS[0][0])
_CJK: Final = regex.compile("[" + "".join(f"\\U{a:08x}-\\U{b:08x}" for a, b in _CJK_BLOCKS) + "]")


def gram_hash(gram: str) -> int:
    """The key of a word or n-gram in the tables: xxh3-64 of its UTF-8 bytes. The build refuses two keys with one
    hash; a string outside the model takes a key's hash with a chance of ~1e-13 per look-up (4.7 M keys / 2**64)."""
    return xxhash.xxh3_64_intdigest(gram.encode("utf-8", "surrogatepass"))


def gram_hashes(grams: list[str]) -> np.ndarray:
    """`gram_hash` of each of `grams` (uint64), without a Python call per gram (a third of the cost on new words)."""
    encoded = map(str.encode, grams, repeat("utf-8"), repeat("surrogatepass"))
    return np.fromiter(map(xxhash.xxh3_64_intdigest, encoded), dtype=np.uint64, count=len(grams))


class NgramTable:
    """heliport's word model, or its n-gram models: sorted key hashes, and per key a run (`offsets`) of (language
    index, -log10 probability). `buckets[b]`: the first key whose hash's top bits are >= b (a look-up reads the
    keys from there on, one bucket's worth, not a binary search over millions of them)."""

    __slots__ = ("hashes", "offsets", "langs", "probs", "buckets", "_shift", "_steps", "_last", "arrays")

    def __init__(
        self, hashes: np.ndarray, offsets: np.ndarray, langs: np.ndarray, probs: np.ndarray, buckets: np.ndarray
    ):
        self.hashes = hashes  # uint64, sorted, unique
        self.offsets = offsets  # uint32, len(hashes) + 1
        self.langs = langs  # uint8
        self.probs = probs  # float32
        self.buckets = buckets  # uint32, 2**bits + 1
        bits = int(np.log2(len(buckets) - 1))
        self._shift = np.uint64(64 - bits)
        self._steps = np.arange(max(int(np.diff(buckets.astype(np.int64)).max()), 1))[None, :]  # the widest bucket
        self._last = max(len(hashes) - 1, 0)
        self.arrays = (hashes, buckets, offsets, langs, probs)  # as `_heliport` reads a table

    @staticmethod
    def bucket_index(hashes: np.ndarray) -> np.ndarray:
        """`buckets` for sorted `hashes`: about 8 keys per bucket."""
        bits = max(1, int(np.ceil(np.log2(max(len(hashes), 2)))) - 3)
        starts = np.arange(2**bits + 1, dtype=np.uint64) << np.uint64(64 - bits)
        index = np.searchsorted(hashes, starts[:-1]).astype(np.uint32)
        return np.append(index, np.uint32(len(hashes)))

    def find(self, keys: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """(positions of `keys` found, which of `keys` were found). A key can only equal a hash of its own bucket
        (the same top bits), so reading past the bucket's end never matches wrongly."""
        if not len(self.hashes):
            return np.zeros(0, dtype=np.intp), np.zeros(len(keys), dtype=bool)
        lo = self.buckets[(keys >> self._shift).astype(np.intp)].astype(np.intp)
        candidates = np.minimum(lo[:, None] + self._steps, self._last)
        match = self.hashes[candidates] == keys[:, None]
        hit = match.any(axis=1)
        return candidates[hit, match[hit].argmax(axis=1)], hit

    def scatter(self, rows: np.ndarray, row_of: np.ndarray, pos: np.ndarray) -> None:
        """rows[row_of[i], lang] = prob for every (lang, prob) of table entry pos[i]."""
        bounds = self.offsets.take(np.add.outer(pos, _RUN_BOUNDS)).astype(np.int64)  # (start, end) of each run
        lengths = bounds[:, 1] - bounds[:, 0]
        ends = np.cumsum(lengths)
        flat = np.arange(int(ends[-1])) + np.repeat(bounds[:, 1] - ends, lengths) if len(ends) else ends
        rows[np.repeat(row_of, lengths), self.langs.take(flat)] = self.probs.take(flat)


class MappedHeliport:
    """heliport's `Identifier` API (`identify_with_score`, `identify_topk_with_score`) over two `NgramTable`s that
    may be memory-mapped (`words`: the word model; `ngrams`: the character 1- to 6-grams, one table, as their lengths
    keep them apart): a worker's private memory is its recent words' scores; the tables are the page cache's, shared.
    """

    def __init__(self, words: NgramTable, ngrams: NgramTable, confidence: np.ndarray, cached_words: int = 16_384):
        self.words = words
        self.ngrams = ngrams
        self.confidence = confidence  # float32 per language index, 0 where heliport has no threshold
        collapsed = np.array([COLLAPSED.index(c) for c in COLLAPSED])  # first index of each collapsed code
        self._others = collapsed[None, :] != collapsed[:, None]  # [i]: the languages that are not i's macrolanguage
        self._groups = collapsed.astype(np.int64)  # each language's macrolanguage, as `_heliport.best_and_lead` reads
        # the scores of the last words read (a row per word; ~1 KB each, 16 MB at most): a text's words are mostly
        # words read before, and a dictionary look-up is ~50x cheaper than one in the tables
        self._row_of: dict[str, int] = {}
        self._rows = np.empty((cached_words, len(HELIPORT_LANGS)), dtype=np.float32)
        # the scores of the last texts read: a document's texts are often asked twice (a group's opinion asked again
        # on more of the text, a veto after a reading of the whole page): 10-20% of the calls on the bench's pages
        self._points_of: dict[str, np.ndarray | None] = {}

    # -- heliport's API ---------------------------------------------------------------------------------------
    def identify_with_score(self, text: str, ignore_confidence: bool = False) -> tuple[str, float]:
        """heliport's label and its lead over the best other (collapsed) language; `und` when the lead is below that
        language's confidence threshold; (`zxx`, 7.0) without letters. `ignore_confidence`: the raw score."""
        points = self.points(text)
        if points is None:
            return "zxx", float(PENALTY)
        if _native is not None:  # the same three numbers in C
            winner, best, lead = _native.best_and_lead(points, self._groups, _UNSCORED)
        else:
            best = points.min()
            winner = int(np.flatnonzero(points == best)[-1])  # heliport keeps the last of equal scores
            others = points[self._others[winner]]
            second = min(_UNSCORED, others.min()) if len(others) else _UNSCORED
            lead = np.float32(second - best)
        label = COLLAPSED[winner]
        if ignore_confidence:
            return label, float(best)
        if self.confidence[_INDEX[label]] > lead:
            label = "und"
        return label, float(lead)

    def identify_topk_with_score(self, text: str, k: int) -> list[tuple[str, float]]:
        """The `k` best (collapsed) languages and their raw scores, lower is better. As heliport: the `k` best
        distinct scores are read, so variants of one macrolanguage among them can leave fewer than `k`."""
        points = self.points(text)
        if points is None:
            return [("zxx", float(PENALTY))]
        # by score, then heliport's language order (in C: only the languages of the k lowest scores)
        if _native is not None:
            ranked = _native.leading(points, k)
        else:
            scores = points.tolist()
            ranked = [(i, scores[i]) for i in np.argsort(points, kind="stable").tolist()]
        out: list[tuple[str, float]] = []
        seen: set[str] = set()
        levels, last = 0, None
        for i, score in ranked:
            if score != last:
                levels, last = levels + 1, score
                if levels > k:
                    break
            code = COLLAPSED[i]
            if code not in seen:
                seen.add(code)
                out.append((code, score))
                if len(out) >= k:
                    break
        return out

    # -- scoring ----------------------------------------------------------------------------------------------
    def points(self, text: str) -> np.ndarray | None:
        """Every language's score of `text` (float32, lower is better, read-only), or None without a word."""
        if text in self._points_of:
            return self._points_of[text]
        if len(self._points_of) >= _CACHED_TEXTS:
            self._points_of = {}
        points = self._points_of[text] = self._score_text(text)
        return points

    def _score_text(self, text: str) -> np.ndarray | None:
        lowered = text.lower()
        cjk_share = 0.0
        words = None if _native is None else _native.split_words(lowered, _KEPT_BY_CODEPOINT, _keeps)
        if words is None:  # not compiled, or a character from U+2E80 on (CJK: heliport's spacing)
            spaced = lowered.translate(_SPACING)
            if spaced and max(spaced) >= _FIRST_CJK and _CJK.search(spaced) is not None:
                spaced, cjk_share = _space_cjk(spaced)
            words = spaced.split()
        if not words:
            return None
        if _native is not None:  # the cache look-ups and the mean in C
            points = np.empty(len(HELIPORT_LANGS), dtype=np.float32)
            new = _native.mean_of_words(self._rows, words, self._row_of, points)
            if new is not None:
                self._score_new(new, words)
                _native.mean_of_words(self._rows, words, self._row_of, points)
        else:
            slots = [self._row_of.get(w, -1) for w in words]
            if -1 in slots:
                self._score_new(list(dict.fromkeys(w for w, slot in zip(words, slots, strict=True) if slot < 0)), words)
                slots = [self._row_of[w] for w in words]
            points = np.add.reduce(self._rows[slots], axis=0) / np.float32(len(words))  # row after row, as heliport
        if cjk_share > 0.5:
            points[~_CJK_LANGS] = _UNSCORED
        points.flags.writeable = False  # shared by the callers of the same text
        return points

    def _score_new(self, new: list[str], words: list[str]) -> None:
        """Score the words `new` (distinct, not cached) of a text of `words` into the cache; a cache without room for
        them is emptied rather than tracked (the next texts refill it) and all of the text's words are scored."""
        if len(self._row_of) + len(new) > len(self._rows):
            self._row_of = {}
            new = list(dict.fromkeys(words))
        self._score_words(new)

    def _score_words(self, words: list[str]) -> None:
        """Score `words` (new, distinct) into the rows cache: the word model's entry, else the mean over the word's
        n-grams of the longest order with any entry (7.0 for the languages without one), else zeros."""
        if len(words) > len(self._rows):  # a text longer than the cache: a cache of its size
            self._rows = np.empty((len(words), len(HELIPORT_LANGS)), dtype=np.float32)
        first = len(self._row_of)
        rows = self._rows
        if _native is not None:
            _native.new_rows(self.words.arrays, self.ngrams.arrays, words, rows, first)
        else:
            slots = np.arange(first, first + len(words))
            rows[slots] = PENALTY
            pos, hit = self.words.find(gram_hashes(words))
            self.words.scatter(rows, slots[hit], pos)
            missed = np.flatnonzero(~hit)
            if len(missed):
                rows[slots[missed]] = self._backoff_rows([words[j] for j in missed.tolist()])
        self._row_of.update(zip(words, range(first, first + len(words)), strict=True))

    def _backoff_rows(self, words: list[str]) -> np.ndarray:
        """Words out of the word model: each the mean score of its n-grams of the longest order with any entry, or
        zeros when none has one (the word then adds nothing). One look-up per order for all the words still without
        an entry, from 6-grams down (most words are settled by their 6-grams)."""
        out = np.zeros((len(words), len(HELIPORT_LANGS)), dtype=np.float32)
        padded = [f" {word} " for word in words]
        pending = list(range(len(words)))
        for order in range(6, 0, -1):
            grams: list[str] = []
            owner: list[int] = []
            for j in pending:
                n = len(padded[j]) - order + 1
                if n > 0:
                    grams += [padded[j][i : i + order] for i in range(n)]
                    owner += [j] * n
            if not grams:
                continue
            settled = self._backoff_order(grams, owner, out)
            if settled:
                done = set(settled)
                pending = [j for j in pending if j not in done]
                if not pending:
                    break
        return out

    def _backoff_order(self, grams: list[str], owner: list[int], out: np.ndarray) -> list[int]:
        """The n-grams `grams` of one order, of the words `owner` (non-decreasing row indices of `out`): each word with
        any of them in the table gets the mean of their rows in `out`. Returns those words."""
        pos, hit = self.ngrams.find(gram_hashes(grams))
        if not len(pos):
            return []
        # the found n-grams' words, in order (non-decreasing: the words' n-grams one word after the other),
        # grouped in Python: a handful of words a text, where numpy's per-call cost would dominate
        found_owner = [j for j, h in zip(owner, hit.tolist(), strict=True) if h]
        settled: list[int] = []
        counts: list[int] = []
        for j in found_owner:
            if settled and settled[-1] == j:
                counts[-1] += 1
            else:
                settled.append(j)
                counts.append(1)
        width = max(counts)
        cell = [w * width + r for w, n in enumerate(counts) for r in range(n)]
        # one row of n-grams per word, padded with zeros (adding 0.0 changes no float32 sum), summed along
        # the row one after the other, in float32: the order heliport adds a word's n-grams in
        grid = np.zeros((len(settled), width, len(HELIPORT_LANGS)), dtype=np.float32)
        flat_grid = grid.reshape(-1, len(HELIPORT_LANGS))
        flat_grid[cell] = PENALTY
        self.ngrams.scatter(flat_grid, np.array(cell), pos)
        out[settled] = np.add.reduce(grid, axis=1) / np.array(counts, dtype=np.float32)[:, None]
        return settled


def _space_cjk(spaced: str) -> tuple[str, float]:
    """heliport's CJK pass: a space between CJK and other characters, and the share of CJK among non-spaces."""
    out: list[str] = []
    last_cjk = last_space = False
    n_cjk = length = 0
    for ch in spaced:
        if _CJK.match(ch) is not None:
            if not last_cjk and not last_space:
                out.append(" ")
            last_cjk, last_space = True, False
            n_cjk += 1
        else:
            if last_cjk and ch != " ":
                out.append(" ")
            last_space, last_cjk = ch == " ", False
        if not last_space:
            length += 1
        out.append(ch)
    return "".join(out), (n_cjk / length if length else 0.0)
