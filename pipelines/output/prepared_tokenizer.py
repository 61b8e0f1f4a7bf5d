"""The run's prepared tokenizer (`OUT/tokenizer/`) as encoding tasks use it: loaded once per process.

Every task of the tokenize stage needs the same `tokenizer.json` (HF `tokenizers`, its tiktoken twin and the
declared special tokens); loading them took about 0.35 s per task on a 32k vocabulary (a 2.3 MB JSON parsed
three times), more than encoding a task's documents. A worker process runs many tasks, so the loaded objects
are kept per process, keyed by the files' size and modification time: a tokenizer prepared anew (a restarted
run) is loaded anew. Training, encoding and the shard layout are `tokenize.py`'s and `token_shards.py`'s.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import orjson
from tokenizers import Tokenizer

from eurocurate.layout import TOKENIZER, TOKENIZER_CONFIG, TOKENIZER_FILE, TOKENIZER_META
from eurocurate.pipelines.output.fast_encode import encode_ordinary_array, fast_encoder
from eurocurate.pipelines.output.special_tokens import SpecialTokens, resolve_special_tokens

log = logging.getLogger(__name__)


VERIFY_DOCS = 32  # documents a process encodes both ways before it trusts tiktoken with a tokenizer


_NOT_BUILT = object()


@dataclass
class PreparedTokenizer:
    """What an encoding task needs of `OUT/tokenizer/`, and how far this process has checked tiktoken against it."""

    path: Path  # tokenizer.json
    hf: Tokenizer  # encodes a literal "</s>" in a page as text, as tiktoken's encode_ordinary does
    meta: dict  # tokenizer.meta.json
    special: SpecialTokens | None  # None: prepared before special tokens were declared (EOS from meta only)
    verified_docs: int = 0  # documents encoded both ways with the same ids in this process
    # tiktoken.Encoding equivalent to `hf` (None: the tokenizer has no such twin), built on the first encode
    fast: object = field(default=_NOT_BUILT, repr=False)

    def encode(self, texts: list[str]) -> list[np.ndarray]:
        """The ids of each text (uint32, no special token added): tiktoken's once it gave `tokenizers`' ids on the
        process's first VERIFY_DOCS documents, `tokenizers`' where there is no twin or the two ever disagreed."""
        if self.fast is _NOT_BUILT:
            self.fast = fast_encoder(self.path)
        if self.fast is None:
            return [np.array(e.ids, dtype=np.uint32) for e in self.hf.encode_batch(texts, add_special_tokens=False)]
        encoded = [encode_ordinary_array(self.fast, t) for t in texts]
        if self.verified_docs < VERIFY_DOCS:
            probe = texts[: VERIFY_DOCS - self.verified_docs]
            # one text at a time: a batch would wake the Rayon pool of every core for a few milliseconds of work
            reference = [self.hf.encode(t, add_special_tokens=False).ids for t in probe]
            if reference != [a.tolist() for a in encoded[: len(probe)]]:
                log.warning("tiktoken and tokenizers disagree on %s; encoding with tokenizers", self.path)
                self.fast = None
                return self.encode(texts)
            self.verified_docs += len(probe)
        return encoded

    @property
    def eos_id(self) -> int | None:
        return self.special.eos_id if self.special is not None else self.meta.get("eos_id")

    @property
    def bos_id(self) -> int | None:
        return self.special.bos_id if self.special is not None else None


_LOADED: dict[tuple[str, tuple], PreparedTokenizer] = {}  # (folder, stamps of its files) -> this process's copy


def prepared_tokenizer(out_dir: str | Path, hf: Tokenizer | None = None) -> PreparedTokenizer:
    """The tokenizer that `PrepareTokenizer` wrote under `out_dir`, loaded at most once per process and version.

    `hf`: the folder's tokenizer.json as the caller has just loaded it (the barrier that wrote the folder, whose
    process a local run's encoding tasks share), so that it is not parsed again."""
    folder = (Path(out_dir) / TOKENIZER).resolve()
    key = (str(folder), tuple(_stamp(folder / name) for name in (TOKENIZER_FILE, TOKENIZER_META, TOKENIZER_CONFIG)))
    if key not in _LOADED:
        while len(_LOADED) >= 4:  # runs of one process (tests, a notebook) each prepare their own
            _LOADED.pop(next(iter(_LOADED)))
        _LOADED[key] = _load(folder, hf)
    return _LOADED[key]


def _stamp(path: Path) -> tuple[int, int] | None:
    try:
        st = path.stat()
    except FileNotFoundError:
        return None
    return st.st_mtime_ns, st.st_size


def _load(folder: Path, hf: Tokenizer | None) -> PreparedTokenizer:
    path = folder / TOKENIZER_FILE
    hf = hf if hf is not None else Tokenizer.from_file(str(path))
    hf.encode_special_tokens = True
    meta = orjson.loads((folder / TOKENIZER_META).read_bytes())
    special = None
    if (folder / TOKENIZER_CONFIG).is_file():
        config = orjson.loads((folder / TOKENIZER_CONFIG).read_bytes())
        special = resolve_special_tokens(
            hf,
            config.get("bos_token"),
            config.get("eos_token"),
            config.get("pad_token"),
            bool(config.get("add_bos_token")),
            bool(config.get("add_eos_token")),
        )
    return PreparedTokenizer(path, hf, meta, special)
