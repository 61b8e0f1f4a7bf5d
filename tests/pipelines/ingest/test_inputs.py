"""The input resolver: folders, globs and lists of them give the same files in the same (sorted) order for the
runner, the document reader and the opt-out stage's robots.txt captures; what it cannot read it names."""

from pathlib import Path

import pytest

from eurocurate.config import SpecError
from eurocurate.pipelines.ingest.formats import ALL_FORMATS, suffixes_of
from eurocurate.pipelines.ingest.inputs import (
    InputError,
    find_input_files,
    find_warc_files,
    resolve_inputs,
    spec_warc_files,
)
from tests.pipelines.ingest.test_document_reader import build_mixed_folder


def _touch(root: Path, *names: str) -> Path:
    for name in names:
        (root / name).parent.mkdir(parents=True, exist_ok=True)
        (root / name).write_bytes(b"x")
    return root


def test_input_resolution_keeps_warc_behaviour_and_names_what_it_expects(tmp_path):
    build_mixed_folder(tmp_path / "in")
    assert [p.name for p in find_warc_files([str(tmp_path / "in")])] == ["a.warc.gz"]
    # the WARC reader's inputs, relative to the folder named (not to crawl/, the one folder holding them)
    assert resolve_inputs([str(tmp_path / "in")]).files == ["crawl/a.warc.gz"]
    with pytest.raises(InputError, match=r"expected a \.warc or \.warc\.gz file"):
        find_warc_files([str(tmp_path / "in" / "pub" / "report.pdf")])
    with pytest.raises(InputError, match=r"expected a .*\.pdf.* file"):
        find_input_files([str(tmp_path / "in" / "pub" / "readme.txt")], suffixes_of(ALL_FORMATS))
    pdfs = find_input_files([str(tmp_path / "in" / "**" / "*.pdf")], suffixes_of(["pdf"]))
    assert [p.name for p in pdfs] == ["locked.pdf", "report.pdf"]
    with pytest.raises(InputError, match=r"no \.docx files"):
        find_input_files([str(tmp_path / "in" / "crawl")], suffixes_of(["docx"]))


def test_folders_globs_and_lists_give_the_same_sorted_deduplicated_files(tmp_path):
    root = _touch(tmp_path, "b/2.warc.gz", "b/1.warc", "a/z.warc.gz", "a/deep/y.warc", "a/notes.txt")
    expected = [root / "a/deep/y.warc", root / "a/z.warc.gz", root / "b/1.warc", root / "b/2.warc.gz"]
    assert find_warc_files([str(root)]) == expected
    assert find_warc_files([str(root / "b"), str(root / "a")]) == expected  # a list is merged, then sorted
    assert find_warc_files([str(root / "**" / "*.warc*")]) == expected
    # the same file named three ways is read once
    assert find_warc_files([str(root / "b/1.warc"), str(root / "b"), str(root / "b" / "*.warc")]) == expected[2:]
    inputs = resolve_inputs([str(root / "b"), str(root / "a")])
    assert inputs.root == str(root.resolve())
    assert inputs.files == ["a/deep/y.warc", "a/z.warc.gz", "b/1.warc", "b/2.warc.gz"]


def test_warc_suffixes_match_case_sensitively_and_format_suffixes_do_not(tmp_path):
    root = _touch(tmp_path, "A.WARC.GZ", "b.warc.gz", "C.PDF")
    assert [p.name for p in find_warc_files([str(root)])] == ["b.warc.gz"]  # as warc_reader always took them
    found = find_input_files([str(root)], suffixes_of(ALL_FORMATS))
    assert [p.name for p in found] == ["A.WARC.GZ", "C.PDF", "b.warc.gz"]
    assert resolve_inputs([str(root)], suffixes_of(["pdf"])).files == ["C.PDF"]


def test_a_missing_input_is_named(tmp_path):
    with pytest.raises(InputError, match=r"input .*nowhere does not exist"):
        find_warc_files([str(tmp_path / "nowhere")])
    with pytest.raises(InputError, match=r"no \.warc or \.warc\.gz files"):
        find_warc_files([str(tmp_path / "*.warc")])


def test_robots_captures_named_in_a_spec_resolve_like_inputs_or_fail_the_spec(tmp_path):
    root = _touch(tmp_path, "robots/2.warc.gz", "robots/1.warc.gz")
    assert spec_warc_files([], "stage 'optout': robots_warcs") == ()
    assert spec_warc_files([str(root / "robots")], "x") == tuple(str(p) for p in find_warc_files([str(root)]))
    with pytest.raises(SpecError, match=r"^stage 'optout': robots_warcs: input .*missing does not exist"):
        spec_warc_files([str(root / "missing")], "stage 'optout': robots_warcs")


def test_a_paths_list_names_inputs_relative_to_its_base_in_list_order(tmp_path):
    import gzip

    from eurocurate.pipelines.ingest.inputs import InputList, crawl_of, robots_folders_beside

    seg = "crawl-data/CC-MAIN-2026-10/segments/1"
    root = _touch(tmp_path / "base", f"{seg}/warc/b.warc.gz", f"{seg}/warc/a.warc.gz", f"{seg}/robotstxt/r.warc.gz")
    listing = tmp_path / "warc.paths.gz"
    listing.write_bytes(gzip.compress(f"# a comment\n{seg}/warc/b.warc.gz\n\n{seg}/warc/a.warc.gz\n".encode()))
    inputs = resolve_inputs([InputList(str(listing), str(root))])
    assert inputs.root == str(root) and inputs.files == [f"{seg}/warc/b.warc.gz", f"{seg}/warc/a.warc.gz"]
    assert robots_folders_beside(inputs) == [str(root / seg / "robotstxt")]
    assert crawl_of(f"s3://commoncrawl/{seg}/warc/b.warc.gz") == "CC-MAIN-2026-10"
    assert crawl_of("own/crawl.warc.gz") is None
    for bad, expected in [
        ("/etc/x.warc.gz", "line 1"),
        ("s3://other/x.warc.gz", "line 1"),
        ("a/notes.txt", "expected"),
    ]:
        listing.write_text(bad + "\n")
        with pytest.raises(InputError, match=expected):
            resolve_inputs([InputList(str(listing), str(root))])
    with pytest.raises(InputError, match="not both"):
        resolve_inputs([InputList(str(listing), str(root)), str(root)])


def test_robots_captures_beside_a_warc_folder_named_alone_are_found(tmp_path):
    """Common Crawl's segment layout given as its `warc/` folder (or one of its files, or a glob into it): the
    `robotstxt/` folder beside it holds the segment's robots.txt captures, and the opt-out stage is given them."""
    from eurocurate.pipelines.ingest.inputs import robots_folders_beside

    seg = tmp_path / "crawl-data" / "CC-MAIN-2026-10" / "segments" / "1"
    _touch(seg, "warc/a.warc.gz", "warc/b.warc.gz", "robotstxt/r.warc.gz")
    for named in (seg / "warc", seg / "warc" / "a.warc.gz", seg / "warc" / "*.warc.gz", tmp_path / "crawl-data"):
        inputs = resolve_inputs([str(named)])
        assert robots_folders_beside(inputs) == [str(seg / "robotstxt")], named
    assert resolve_inputs([str(seg / "warc")]).files == ["a.warc.gz", "b.warc.gz"]
    # from above the segment, the captures are set aside, not read as pages; named alone, they are inputs
    crawl = resolve_inputs([str(tmp_path / "crawl-data")])
    assert crawl.files == ["CC-MAIN-2026-10/segments/1/warc/a.warc.gz", "CC-MAIN-2026-10/segments/1/warc/b.warc.gz"]
    assert crawl.set_aside == ["CC-MAIN-2026-10/segments/1/robotstxt/r.warc.gz"]
    assert resolve_inputs([str(seg / "robotstxt")]).files == ["r.warc.gz"]
    assert resolve_inputs([str(seg / "warc" / "*.warc.gz")]).root == str(seg / "warc")


def test_a_file_name_that_is_not_utf8_is_named_in_one_line_before_the_run(tmp_path):
    """An old archive's Latin-1 name (caf\\xe9.warc.gz) stopped the run with a traceback when its state was written."""
    import os

    folder = tmp_path / "in"
    folder.mkdir()
    (folder / "good.warc.gz").write_bytes(b"x")
    with open(os.path.join(os.fsencode(folder), b"caf\xe9.warc.gz"), "wb") as f:
        f.write(b"x")
    with pytest.raises(InputError, match=r"caf\\xe9\.warc\.gz: the file name is not valid UTF-8; rename it"):
        resolve_inputs([str(folder)])


def test_links_in_an_input_folder_are_read_where_they_are(tmp_path, caplog):
    """A linked file keeps its place in the tree (its `sources` rule still matches, the input root stays the folder
    named); a linked folder is read, a link loop once; a link to nothing is logged, not silently left out."""
    import logging
    import os

    pubs, elsewhere = tmp_path / "pubs", tmp_path / "elsewhere"
    _touch(pubs, "eurlex/a.warc.gz")
    _touch(elsewhere, "b.warc.gz", "deep/c.warc.gz")
    os.symlink(elsewhere / "b.warc.gz", pubs / "eurlex" / "b.warc.gz")
    os.symlink(elsewhere / "deep", pubs / "linked")
    os.symlink(pubs, pubs / "eurlex" / "loop")  # back up to the root: read once
    os.symlink(tmp_path / "gone.warc.gz", pubs / "dangling.warc.gz")
    with caplog.at_level(logging.WARNING, logger="eurocurate.pipelines.ingest.inputs"):
        inputs = resolve_inputs([str(pubs)])
    assert inputs.root == str(pubs)
    assert inputs.files == ["eurlex/a.warc.gz", "eurlex/b.warc.gz", "linked/c.warc.gz"]
    assert "dangling.warc.gz is a symbolic link to nothing: skipped" in caplog.text


def test_an_output_folder_inside_an_input_folder_is_no_input(tmp_path):
    docs = _touch(tmp_path / "docs", "a.jsonl", "b/c.jsonl")
    out = _touch(docs / "out", "logs/run.jsonl", "text/en/part-0.parquet")
    (docs / "link").symlink_to(out, target_is_directory=True)  # the same files again, through a link
    suffixes = suffixes_of(ALL_FORMATS)
    assert resolve_inputs([str(docs)], suffixes, output=out).files == ["a.jsonl", "b/c.jsonl"]
    assert resolve_inputs([str(docs / "**" / "*.jsonl")], suffixes, output=out).files == ["a.jsonl", "b/c.jsonl"]
    assert "out/logs/run.jsonl" in resolve_inputs([str(docs)], suffixes).files  # without the output named
    with pytest.raises(InputError, match="input .*run.jsonl is inside the output folder"):
        resolve_inputs([str(out / "logs" / "run.jsonl")], suffixes, output=out)
    with pytest.raises(InputError, match="inside the output folder"):
        resolve_inputs([str(out)], suffixes, output=out)
    with pytest.raises(InputError, match="no input files outside the output folder"):
        resolve_inputs([str(docs / "**" / "run.jsonl")], suffixes, output=out)


def test_a_run_whose_output_is_inside_its_input_folder_reads_only_the_inputs_and_resumes(tmp_path, capsys):
    """It read its own log OUT/logs/run.jsonl as an input (2 `ingest.no_text_field` drops), and the same command run
    again was refused: 'a different set of input files'."""
    from eurocurate.cli import main
    from eurocurate.manifests.audit.run_manifest import read_run_manifest
    from tests.conftest import jsonl_docs_and_spec

    docs, spec = jsonl_docs_and_spec(tmp_path, [{"use": "language_id"}, {"use": "text_parquet"}])
    run = ["run", str(spec), "-i", str(docs), "-o", str(docs / "out")]
    assert main(run) == 0
    manifest = read_run_manifest(docs / "out")
    assert [f.path for f in manifest.inputs] == [str(docs / "a.jsonl")]
    assert manifest.totals.read == 3 and manifest.totals.dropped == 0
    assert main(run) == 0, capsys.readouterr().err  # the same command again: nothing to do, not another input set


def test_an_output_prefix_inside_an_input_prefix_of_a_bucket_is_no_input(s3):
    from eurocurate import storage

    fs = storage.locate(s3).fs
    for name in ("docs/a.jsonl", "docs/out/logs/run.jsonl"):
        fs.pipe_file(storage.locate(f"{s3}/{name}").path, b"x")
    suffixes = suffixes_of(ALL_FORMATS)
    assert resolve_inputs([f"{s3}/docs/"], suffixes, output=f"{s3}/docs/out").files == ["a.jsonl"]
    with pytest.raises(InputError, match="is inside the output folder"):
        resolve_inputs([f"{s3}/docs/out/logs/"], suffixes, output=f"{s3}/docs/out")
