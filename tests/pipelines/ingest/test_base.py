"""The source-stage base: a reader that only says how one file becomes documents gets doc ids, provenance,
the operator's source declaration, counting, ledger drops, progress and a fresh ledger on re-run from it."""

from collections.abc import Iterator
from pathlib import Path

import pyarrow.parquet as pq

from eurocurate.config import PipelineSpec
from eurocurate.manifests.audit.ledger import ledger_path
from eurocurate.pipelines.engine.progress import read_progress
from eurocurate.pipelines.ingest.base import SourceReader, declared_sources, make_doc_id
from eurocurate.pipelines.ingest.source_document import NotADocument, SourceDocument
from eurocurate.registry import BuildContext, InputSet
from eurocurate.schema import Meta, Reason, Stat
from eurocurate.stage import Drop


class LinesReader(SourceReader):
    """A third source stage: one document per line of a `.lines` file; `#` lines are no documents, an empty
    line is an empty payload, and a `BOOM` line is a reader bug."""

    name = "lines_reader"

    def read_file(self, path: Path, rel: str) -> Iterator[SourceDocument | NotADocument]:
        offset = 0
        for number, line in enumerate(path.read_text().splitlines()):
            if line == "BOOM":
                raise RuntimeError("parser bug")
            if line.startswith("#"):
                yield NotADocument(offset)
            elif not line:
                yield SourceDocument(f"line{number}", offset, "", {}, Drop(Reason.EMPTY_PAYLOAD, "empty line"))
            else:
                yield SourceDocument(f"line{number}", offset, line, {Meta.TITLE: line[:5]})
            offset += len(line) + 1


def _reader(tmp_path: Path, files: dict[str, str], sources: dict | None = None) -> LinesReader:
    root = tmp_path / "in"
    for name, text in files.items():
        (root / name).parent.mkdir(parents=True, exist_ok=True)
        (root / name).write_text(text)
    return LinesReader(sorted(files), str(root), str(tmp_path / "out"), str(tmp_path / "work"), sources or {})


def _ledger(tmp_path: Path, rank: int = 0) -> list[dict]:
    return pq.read_table(ledger_path(tmp_path / "out", "lines_reader", rank)).to_pylist()


def test_a_reader_that_only_reads_files_gets_ids_provenance_counts_and_ledger_drops(tmp_path):
    declared = {Meta.PUBLISHER: "Ministry", Meta.SOURCE_CATEGORY: "public_sector", Meta.LICENCE: None}
    step = _reader(tmp_path, {"a.lines": "# header\nfirst\n\nsecond\n"}, {"a.lines": declared})
    docs = list(step.run(None, rank=0, world_size=1))
    assert [d.text for d in docs] == ["first", "second"]
    assert [d.id for d in docs] == [make_doc_id("a.lines", "line1"), make_doc_id("a.lines", "line3")]
    assert docs[0].metadata == {
        Meta.SOURCE_PATH: "a.lines",
        Meta.SOURCE_OFFSET: 9,
        Meta.ORDER_KEY: f"a.lines\x00{9:016d}\x00{0:010d}",
        Meta.TITLE: "first",
        Meta.PUBLISHER: "Ministry",  # an undeclared licence leaves no key
        Meta.SOURCE_CATEGORY: "public_sector",
    }
    stats = {k: v.total for k, v in step.stats.stats.items()}
    assert stats[Stat.TOTAL] == 3 and stats[Stat.FORWARDED] == 2 and stats[Stat.OTHER_RECORDS] == 1
    assert stats[Stat.DROPPED] == 1 and stats[Stat.DROPPED_PREFIX + Reason.EMPTY_PAYLOAD] == 1
    [row] = _ledger(tmp_path)
    assert row["doc_id"] == make_doc_id("a.lines", "line2") and row["reason"] == Reason.EMPTY_PAYLOAD
    assert (row["source_path"], row["source_offset"], row["stage"]) == ("a.lines", 15, "lines_reader")
    assert read_progress(tmp_path / "work").docs == 3 and read_progress(tmp_path / "work").tasks_finished == 1


def test_each_task_reads_its_share_of_the_files(tmp_path):
    step = _reader(tmp_path, {f"{i}.lines": f"doc {i}\n" for i in range(5)})
    by_rank = [[d.text for d in step.run(None, rank=r, world_size=2)] for r in range(2)]
    assert by_rank == [["doc 0", "doc 2", "doc 4"], ["doc 1", "doc 3"]]


def test_a_reader_bug_loses_the_rest_of_its_file_as_one_drop_not_the_task(tmp_path):
    step = _reader(tmp_path, {"a.lines": "kept\nBOOM\nlost\n", "b.lines": "next file\n"})
    assert [d.text for d in step.run(None)] == ["kept", "next file"]
    [row] = _ledger(tmp_path)
    assert row["reason"] == Reason.STAGE_ERROR and row["source_path"] == "a.lines"
    assert row["evidence"] == "a.lines: lines reader failed after 1 documents: RuntimeError: parser bug"


def test_a_rerun_task_starts_a_fresh_ledger(tmp_path):
    step = _reader(tmp_path, {"a.lines": "one\n\n"})
    list(step.run(None))
    assert len(_ledger(tmp_path)) == 1
    (tmp_path / "in" / "a.lines").write_text("one\n")  # the cause fixed, the task re-run: no drop is left over
    list(step.run(None))
    assert not ledger_path(tmp_path / "out", "lines_reader", 0).exists()


def test_a_reader_built_from_a_spec_carries_each_files_declared_source(tmp_path):
    spec = PipelineSpec.model_validate(
        {
            "name": "t",
            "source": {"source_category": "own_crawl"},
            "sources": [{"match": "pub/**", "publisher": "Ministry", "source_category": "public_sector"}],
            "stages": [{"use": "document_reader"}],
        }
    )
    files = ["crawl/a.lines", "pub/b.lines"]
    ctx = BuildContext(str(tmp_path / "out"), str(tmp_path / "work"), spec, InputSet(str(tmp_path / "in"), files))
    step = LinesReader.from_context(ctx)
    assert step.files == files and step.root == str(tmp_path / "in") and step.work_dir == str(tmp_path / "work/ingest")
    assert step.sources == declared_sources(spec, files)
    assert step.sources["pub/b.lines"] == {
        Meta.SOURCE_CATEGORY: "public_sector",
        Meta.LICENCE: None,
        Meta.PUBLISHER: "Ministry",
    }
    assert step.sources["crawl/a.lines"][Meta.SOURCE_CATEGORY] == "own_crawl"
