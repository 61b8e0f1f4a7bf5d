"""tools/quality_outside.py reads real Debian packages: a guide's chapter becomes one page per top-level
section and its table of contents a boilerplate page; a manual page is rendered by groff with each
paragraph on one line (as extracted web text has it), not wrapped at 80 columns."""

from __future__ import annotations

import gzip
import shutil
import subprocess
from pathlib import Path

import pytest

from eurocurate.tools.quality_outside import guide_pages, judge, man_pages

pytestmark = pytest.mark.skipif(
    shutil.which("dpkg-deb") is None or shutil.which("groff") is None,
    reason="needs dpkg-deb (to build and read a .deb) and groff (to render manual pages); apt-get install dpkg groff",
)

PROSE = (
    "Ein Debian-System besteht aus Paketen, die der Paketverwalter aus den Quellen in der Datei sources.list holt. "
    "Bevor er ein Paket installiert, prüft er die Abhängigkeiten und meldet jeden Konflikt mit einem anderen Paket. "
    "Für die meisten Aufgaben genügt das Werkzeug apt, das die Befehle der älteren Programme zusammenfasst. "
    "Wer nur wissen will, welche Version installiert ist, fragt die Datenbank mit dpkg ab, ohne etwas zu ändern."
)
CHAPTER = f"""<html><body><div class="chapter"><h1>Kapitel 2</h1>
<div class="section"><h2>2.1 Pakete</h2><p>{PROSE}</p>
<div class="section"><h3>2.1.1 Beispiel</h3><pre class="screen">$ sudo apt-get install foo
$ dpkg -l foo</pre><p>Die erste Zeile installiert das Paket, die zweite zeigt seinen Zustand in der Datenbank.</p>
</div></div>
<div class="section"><h2>2.2 Quellen</h2><p>{PROSE}</p></div>
</div></body></html>"""
CONTENTS = "<html><body><ul>" + "".join(f"<li><a href='ch{i}.html'>Kapitel {i}</a></li>" for i in range(30)) + "</ul>"
ROFF = (
    ".TH LS 1\n.SH NAME\nls \\- Verzeichnisinhalte auflisten\n.SH BESCHREIBUNG\n"
    + PROSE
    + "\n.TP\n.B \\-a\nEinträge nicht ignorieren, die mit . beginnen.\n"
)


def _deb(tmp_path: Path, files: dict[str, bytes]) -> Path:
    root = tmp_path / "pkg"
    for name, data in files.items():
        (root / name).parent.mkdir(parents=True, exist_ok=True)
        (root / name).write_bytes(data)
    (root / "DEBIAN").mkdir()
    control = "Package: test-doc\nVersion: 1\nArchitecture: all\nMaintainer: t <t@example.org>\nDescription: t\n"
    (root / "DEBIAN" / "control").write_text(control)
    deb = tmp_path / "test-doc_1_all.deb"
    subprocess.run(["dpkg-deb", "--build", "--root-owner-group", str(root), str(deb)], check=True, capture_output=True)
    return deb


def test_a_guide_chapter_is_one_page_per_section_and_its_contents_page_is_boilerplate(tmp_path):
    deb = _deb(
        tmp_path,
        {
            "usr/share/doc/test-doc/html/ch02.de.html": CHAPTER.encode(),
            "usr/share/doc/test-doc/html/index.de.html": CONTENTS.encode(),
        },
    )
    pages = sorted(guide_pages(deb, "guide"), key=lambda p: p.name)
    assert [(p.kind, p.lang, p.name) for p in pages] == [
        ("documentation", "de", "ch02.de#0"),
        ("documentation", "de", "ch02.de#1"),
        ("boilerplate", "de", "index.de"),
    ]
    assert "apt-get install foo" in pages[0].text and "2.2 Quellen" not in pages[0].text
    assert judge(pages[0])["kept"] and not judge(pages[2])["kept"]


def test_a_manual_page_is_rendered_with_each_paragraph_on_one_line(tmp_path):
    deb = _deb(tmp_path, {"usr/share/man/de/man1/ls.1.gz": gzip.compress(ROFF.encode())})
    (page,) = man_pages(deb, "de")
    paragraph = next(line for line in page.text.splitlines() if line.strip().startswith("Ein Debian-System"))
    assert paragraph.strip().endswith("ohne etwas zu ändern.") and len(paragraph) > 300
    assert page.name == "ls.1.gz" and page.kind == "documentation"
