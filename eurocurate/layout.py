"""The output folder's layout: the name of every file and folder a run (and the commands after it) writes in OUT.

One definition for the runner, the stages that write shards, verify, erase, the release documents and
publish. It names things and builds paths; it does not create, read or check them.
"""

from __future__ import annotations

from pathlib import Path, PurePosixPath

RUN_MANIFEST = "run.json"
TEXT = "text"  # text/<lang>/part-*.parquet: kept documents as text
SHARDS = "shards"  # shards/<lang>/*.parquet + *.manifest.json: token shards
SEQUENCES = "sequences"  # sequences/part-*.parquet + documents.parquet: packed training rows (pack_sequences)
SEQUENCE_DOCUMENTS = "documents"  # sequences/documents[.e<N>].parquet: which documents the rows hold, how often
PROVENANCE = "provenance"  # provenance/part-*.parquet: one row per kept document
EXCLUSIONS = "exclusions"  # exclusions/part-<stage>-*.parquet: the exclusion ledger, one row per drop
TOKENIZER = "tokenizer"
TOKENIZER_FILE = "tokenizer.json"
TOKENIZER_META = "tokenizer.meta.json"
TOKENIZER_CONFIG = "tokenizer_config.json"  # what `transformers.AutoTokenizer` reads: class and special tokens
SPECIAL_TOKENS_MAP = "special_tokens_map.json"
REPORTS = "reports"
FERTILITY_JSON = "fertility.json"
FERTILITY_MD = "fertility.md"
REPORT_HTML = "report.html"
AI_ACT_SUMMARY_JSON = "ai_act_summary.json"
AI_ACT_SUMMARY_MD = "ai_act_summary.md"
DOMAINS_CSV = "domains.csv"
AI_ACT_SUMMARY_CONFIG = "ai_act_summary.config.yaml"  # the config the last `summary` used, reused after an erasure
# every file reports/ holds: written after run.json, so no manifest lists them; verify refuses any other
REPORT_FILES = frozenset(
    {
        FERTILITY_JSON,
        FERTILITY_MD,
        REPORT_HTML,
        AI_ACT_SUMMARY_JSON,
        AI_ACT_SUMMARY_MD,
        AI_ACT_SUMMARY_CONFIG,
        DOMAINS_CSV,
    }
)
STATS = "stats"
LOGS = "logs"
WORK = "_work"  # per-task intermediate data, logs and stats; the run state that makes a re-run resume
# per group under _work/: datatrove's per-task bookkeeping (what ran, never a document's content)
WORK_BOOKKEEPING = frozenset({"logs", "stats", "completions", "progress"})
# ... and the working folders the built-in stages write there (the hand-overs, the dedup stages' files)
WORK_DATA_NAMES = ("data", "sigs", "urls", "drops", "parts", "merge_spill", "buckets", "decisions")
STATE_FILE = "state.json"
DEDUP_INDEX = "dedup_index"  # dedup keys of the kept documents, for the next release's incremental dedup
ERASURE_LOG = "erasure_log.jsonl"
SUPPRESSION_FILE = "suppression.yaml"
ERASURE_STAGING = "_erasure"  # an erasure's staged files and plan until it is committed
CARD = "README.md"  # the dataset card, at the root because the Hub reads it there
CROISSANT = "croissant.json"
# Folders whose every file must be listed (and hashed) in run.json.
OUTPUT_DIRS = (TEXT, SHARDS, SEQUENCES, PROVENANCE, EXCLUSIONS, TOKENIZER)


class OutputLayout:
    """The paths of one output folder, e.g. `OutputLayout(out).provenance_files()`."""

    def __init__(self, root: str | Path):
        self.root = Path(root)

    @property
    def run_manifest(self) -> Path:
        return self.root / RUN_MANIFEST

    @property
    def text(self) -> Path:
        return self.root / TEXT

    @property
    def shards(self) -> Path:
        return self.root / SHARDS

    @property
    def provenance(self) -> Path:
        return self.root / PROVENANCE

    @property
    def exclusions(self) -> Path:
        return self.root / EXCLUSIONS

    @property
    def tokenizer(self) -> Path:
        return self.root / TOKENIZER

    @property
    def tokenizer_meta(self) -> Path:
        return self.root / TOKENIZER / TOKENIZER_META

    @property
    def reports(self) -> Path:
        return self.root / REPORTS

    @property
    def stats(self) -> Path:
        return self.root / STATS

    @property
    def logs(self) -> Path:
        return self.root / LOGS

    @property
    def work(self) -> Path:
        return self.root / WORK

    @property
    def state(self) -> Path:
        return self.root / WORK / STATE_FILE

    def work_data(self) -> list[Path]:
        """The run's document-level working folders, `_work/<group>/<name>` (hand-over Parquet, dedup signatures,
        URL keys, partitions, decisions), which hold doc ids, URLs or text and which nothing reads once the run is
        finished; the groups' bookkeeping (`WORK_BOOKKEEPING`, `executor.json`) and the run state stay."""
        if not self.work.is_dir():
            return []
        groups = [g for g in self.work.iterdir() if g.is_dir()]
        return sorted(d for g in groups for d in g.iterdir() if d.is_dir() and d.name not in WORK_BOOKKEEPING)

    @property
    def dedup_index(self) -> Path:
        return self.root / DEDUP_INDEX

    @property
    def erasure_log(self) -> Path:
        return self.root / ERASURE_LOG

    @property
    def suppression_file(self) -> Path:
        return self.root / SUPPRESSION_FILE

    @property
    def erasure_staging(self) -> Path:
        return self.root / ERASURE_STAGING

    @property
    def card(self) -> Path:
        return self.root / CARD

    @property
    def croissant(self) -> Path:
        return self.root / CROISSANT

    def provenance_files(self) -> list[Path]:
        return sorted(self.provenance.glob("*.parquet"))

    def exclusion_files(self) -> list[Path]:
        return sorted(self.exclusions.glob("*.parquet"))

    def text_files(self) -> list[Path]:
        return sorted(self.text.rglob("*.parquet"))

    def shard_files(self) -> list[Path]:
        return sorted(self.shards.rglob("*.parquet"))

    @property
    def sequences(self) -> Path:
        return self.root / SEQUENCES

    def sequence_files(self) -> list[Path]:
        """The packed rows, in order (`part-<k>[.e<N>].parquet`)."""
        return sorted(self.sequences.glob("part-*.parquet"))

    def sequence_documents(self) -> list[Path]:
        """The table of documents the rows hold (one file; a second one is a fault `verify` reports)."""
        return sorted(self.sequences.glob(f"{SEQUENCE_DOCUMENTS}*.parquet"))


# What a published dataset holds, as globs relative to OUT (the card's `configs` and Croissant's `contentUrl`s are
# relative to OUT, so the Hub repo mirrors OUT's layout for these paths). `eurocurate publish` uploads these, and the
# Croissant file lists only these, so that it names no file the published repo lacks.
PUBLISHED = (
    CARD,
    CROISSANT,
    RUN_MANIFEST,
    f"{TEXT}/*/*.parquet",
    f"{SHARDS}/*/*.parquet",
    f"{SHARDS}/*/*.manifest.json",
    f"{TOKENIZER}/*",
    f"{REPORTS}/*",
)
# Not published, on purpose:
# - provenance/: keyed HMAC fingerprints of redacted identifiers are pseudonymous personal data (linkable
#   across documents and releases; reversible by dictionary for checksummed national ids if the key
#   leaks), beside source offsets; the text shards already carry each document's URL and WARC record id.
# - exclusions/, erasure_log.jsonl: URLs and evidence of dropped documents, including the ones erased on
#   request; publishing them would announce exactly what a data subject asked to remove.
# - reports/report.html: the compliance officer's page, with opt-out examples and the erasure history.
# - sequences/: the token shards again, re-cut into one spec's rows (a second copy of every token); a trainer
#   packs rows of any length from the Hub with `eurocurate pull ORG/NAME --seq-len L [--rehydrate]`.
# - _work/, logs/, stats/: run internals.
PRIVATE_REPORTS = frozenset({REPORT_HTML})


def is_published(rel: str) -> bool:
    """Whether a path relative to OUT (posix) belongs in the published dataset."""
    from eurocurate.files import TMP_MARK

    path = PurePosixPath(rel)
    if TMP_MARK in path.name or (path.parts[0] == REPORTS and path.name in PRIVATE_REPORTS):
        return False
    # `match` anchors at the right only: equal segment counts make it a full match (`*` never crosses `/`)
    return any(len(path.parts) == len(PurePosixPath(p).parts) and path.match(p) for p in PUBLISHED)
