"""The run's prepared tokenizer (`OUT/tokenizer/`) as encoding tasks use it: loaded once per process.

Every task of the tokenize stage needs the same `tokenizer.json` (HF `tokenizers`, its tiktoken twin and the
declared special tokens); loading them took about 0.35 s per task on a 32k vocabulary (a 2.3 MB JSON parsed
three times), more than encoding a task's documents. A worker process runs many tasks, so the loaded objects
are kept per process, keyed by the files' size and modification time: a tokenizer prepared anew (a restarted
run) is loaded anew. Training, encoding and the shard layout are `tokenize.py`'s and `token_shards.py`'s.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

import orjson
from tokenizers import Tokenizer

from eurocurate.layout import TOKENIZER, TOKENIZER_CONFIG, TOKENIZER_FILE, TOKENIZER_META
from eurocurate.pipelines.output.fast_encode import fast_encoder
from eurocurate.pipelines.output.special_tokens import SpecialTokens, resolve_special_tokens


@dataclass(frozen=True)
class PreparedTokenizer:
    """What an encoding task needs of `OUT/tokenizer/`."""

    path: Path  # tokenizer.json
    hf: Tokenizer  # encodes a literal "</s>" in a page as text, as tiktoken's encode_ordinary does
    fast: object | None  # tiktoken.Encoding equivalent to `hf`, or None when the tokenizer has no such twin
    meta: dict  # tokenizer.meta.json
    special: SpecialTokens | None  # None: prepared before special tokens were declared (EOS from meta only)

    @property
    def eos_id(self) -> int | None:
        return self.special.eos_id if self.special is not None else self.meta.get("eos_id")

    @property
    def bos_id(self) -> int | None:
        return self.special.bos_id if self.special is not None else None


def prepared_tokenizer(out_dir: str | Path) -> PreparedTokenizer:
    """The tokenizer that `PrepareTokenizer` wrote under `out_dir`, loaded at most once per process and version."""
    folder = Path(out_dir) / TOKENIZER
    stamp = tuple(_stamp(folder / name) for name in (TOKENIZER_FILE, TOKENIZER_META, TOKENIZER_CONFIG))
    return _load(str(folder.resolve()), stamp)


def _stamp(path: Path) -> tuple[int, int] | None:
    try:
        st = path.stat()
    except FileNotFoundError:
        return None
    return st.st_mtime_ns, st.st_size


@lru_cache(maxsize=4)
def _load(folder: str, stamp: tuple) -> PreparedTokenizer:
    root = Path(folder)
    path = root / TOKENIZER_FILE
    hf = Tokenizer.from_file(str(path))
    hf.encode_special_tokens = True
    meta = orjson.loads((root / TOKENIZER_META).read_bytes())
    special = None
    if (root / TOKENIZER_CONFIG).is_file():
        config = orjson.loads((root / TOKENIZER_CONFIG).read_bytes())
        special = resolve_special_tokens(
            hf,
            config.get("bos_token"),
            config.get("eos_token"),
            config.get("pad_token"),
            bool(config.get("add_bos_token")),
            bool(config.get("add_eos_token")),
        )
    return PreparedTokenizer(path, hf, fast_encoder(path), meta, special)
