"""The tokenizer's declared special tokens (BOS, EOS, pad) and the files that declare them to trainers.

Owns `tokenizer/tokenizer_config.json` and `special_tokens_map.json` (the files `transformers.AutoTokenizer`
reads beside `tokenizer.json`) and the smallest Arrow type that holds every token id. Training and encoding
are `tokenize.py`'s; the shard layout is `token_shards.py`'s.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import orjson
import pyarrow as pa
from tokenizers import Tokenizer

from eurocurate.files import write_bytes_atomic
from eurocurate.layout import SPECIAL_TOKENS_MAP, TOKENIZER_CONFIG, TOKENIZER_FILE

UINT16_VOCAB = 65_536  # ids 0..65,535 fit in two bytes


@dataclass(frozen=True, slots=True)
class SpecialTokens:
    """Declared special tokens and their ids; a token the tokenizer does not have is None."""

    bos_token: str | None
    bos_id: int | None
    eos_token: str | None
    eos_id: int | None
    pad_token: str | None
    pad_id: int | None
    add_bos: bool
    add_eos: bool


def resolve_special_tokens(
    tok: Tokenizer, bos: str | None, eos: str | None, pad: str | None, add_bos: bool, add_eos: bool
) -> SpecialTokens:
    """The requested tokens that the tokenizer has, with their ids (a user's tokenizer may lack some)."""

    def found(token: str | None) -> tuple[str | None, int | None]:
        idx = tok.token_to_id(token) if token else None
        return (token, idx) if idx is not None else (None, None)

    (b, bi), (e, ei), (p, pi) = found(bos), found(eos), found(pad)
    return SpecialTokens(b, bi, e, ei, p, pi, add_bos and bi is not None, add_eos and ei is not None)


def write_special_tokens(target: Path, special: SpecialTokens, vocab_size: int) -> None:
    """tokenizer_config.json and special_tokens_map.json in `target`, so `AutoTokenizer.from_pretrained(target)`
    loads `tokenizer.json` as a fast tokenizer that knows BOS, EOS and pad."""
    tokens = {
        f"{kind}_token": getattr(special, f"{kind}_token")
        for kind in ("bos", "eos", "pad")
        if getattr(special, f"{kind}_token") is not None
    }
    config = {
        "tokenizer_class": "PreTrainedTokenizerFast",
        **tokens,
        # how the run's token shards were built; a trainer encoding new text adds them itself
        "add_bos_token": special.add_bos,
        "add_eos_token": special.add_eos,
        # the default (True) rewrites " ." to "." on decode: ids would no longer decode to the source text
        "clean_up_tokenization_spaces": False,
        "model_max_length": 1_000_000_000,  # no limit of its own: sequence length is the trainer's choice
        "vocab_size": vocab_size,
    }
    option = orjson.OPT_INDENT_2 | orjson.OPT_SORT_KEYS
    write_bytes_atomic(target / TOKENIZER_CONFIG, orjson.dumps(config, option=option))
    write_bytes_atomic(target / SPECIAL_TOKENS_MAP, orjson.dumps(tokens, option=option))


def read_special_tokens(target: Path) -> SpecialTokens:
    """The special tokens a prepared tokenizer folder declares (ids looked up in its tokenizer.json)."""
    config = orjson.loads((Path(target) / TOKENIZER_CONFIG).read_bytes())
    tok = Tokenizer.from_file(str(Path(target) / TOKENIZER_FILE))
    return resolve_special_tokens(
        tok,
        config.get("bos_token"),
        config.get("eos_token"),
        config.get("pad_token"),
        bool(config.get("add_bos_token")),
        bool(config.get("add_eos_token")),
    )


def id_type(vocab_size: int) -> pa.DataType:
    """The smallest unsigned integer type that holds every id of a vocabulary of `vocab_size` tokens."""
    return pa.uint16() if vocab_size <= UINT16_VOCAB else pa.uint32()
