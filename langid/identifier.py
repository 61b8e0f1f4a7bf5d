"""The EU-24 language identifier of one text: fastText fast path, script constraint, second opinions.

Owns the decision for a single segment of text (a paragraph or a short document) and its score, and
for the sample of a whole document (`read_document`): fastText lid.176 alone where it is sure; lingua
restricted to a confusable group, or spelling rules for languages lingua lacks, where it is not.
Sampling documents and splitting them into paragraphs is `langid.document`.
"""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Final

from eurocurate.langid.config import LangIdConfig
from eurocurate.langid.fasttext_lid import bundled_lid176_path, load_fasttext, normalize_label, raw_predict
from eurocurate.langid.hbs import HBS, LINGUA_CALLS, split_hbs
from eurocurate.langid.languages import (
    CONFUSABLE_GROUPS,
    CYRILLIC,
    EU24_SCRIPT,
    FASTTEXT_ALIASES,
    GREEK,
    GROUP_OF,
    LATIN,
    LINGUA_NAME,
    NO_SCRIPT,
    OTHER,
    UNDETERMINED,
)
from eurocurate.langid.long_tail import (
    EUROPEAN_NON_EU24,
    HELIPORT_KNOWS,
    heliport_probabilities,
    heliport_scores,
    long_tail_veto,
    shared_heliport,
)
from eurocurate.langid.orthography import (
    MARKER_WORDS,
    croatian_balance,
    gaelic_accents,
    maltese_evidence,
    marker_hits,
    words,
)
from eurocurate.langid.regional import regional_model
from eurocurate.langid.romanized import romanized_model, romanized_veto
from eurocurate.langid.script import dominant_script
from eurocurate.langid.second_opinion import lingua_known, lingua_probabilities, preload
from eurocurate.schema import EU24

_EU24 = frozenset(EU24)
_TOP_K = 5
# stats of the stage: texts a group of look-alikes was weighed for, texts weighed across Europe (fastText unsure and
# no group), lingua calls of the identifier, Croatian/Bosnian/Serbian splits (a split asks lingua only when it can
# change the winner: `langid.hbs.hbs_evidence`)
OPINION_GROUP: Final = "second_opinion_group"
OPINION_BROAD: Final = "second_opinion_broad"
LINGUA_ASKED: Final = "lingua_asked"
HBS_SPLIT: Final = "hbs_split"
ROMANIZED: Final = "romanized_vetoed"  # EU-24 labels replaced by `other`: Russian, Greek... in Latin letters
HELIPORT_CHARS = 300  # characters of a group's text heliport reads
_CODE: dict[str, str] = {}  # raw fastText label -> the code used here (a handful of labels, filled as met)


def _code(label: str) -> str:
    code = normalize_label(label)
    code = _CODE[label] = FASTTEXT_ALIASES.get(code, code)
    return code


@dataclass(frozen=True, slots=True)
class LangGuess:
    """A text's language: an EU-24 code, a non-EU ISO code when known, `other`, or `und` (no letters).

    `score` is the estimated probability that the label is right: fastText's probability on the fast
    path; P(group) from fastText times P(language | group) from the second opinion otherwise.
    `path` says which evidence decided (fast, group:<g>, broad, maltese, script, none).
    """

    lang: str
    score: float
    path: str

    @property
    def is_eu(self) -> bool:
        return self.lang in _EU24


@dataclass(frozen=True, slots=True)
class FirstPass:
    """What fastText and the cheap tests say of a text: `decided` is set when no second opinion is needed."""

    script: str
    ft: dict[str, float]
    group: str | None
    decided: LangGuess | None


class EuLanguageIdentifier:
    """Identifies single texts; `langid.document.identify_document` applies it paragraph by paragraph."""

    def __init__(self, config: LangIdConfig | None = None, **options: object):
        self.config = config if config is not None else LangIdConfig(**options)  # type: ignore[arg-type]
        self._model = load_fasttext(self.config.model_path or str(bundled_lid176_path()))
        self._predict = raw_predict(self._model)
        self._vetoes = self.config.vetoes
        # what the second opinions were asked, for the stage's stats: the long-tail veto (`langid.long_tail.VETO_*`),
        # the group and broad opinions, lingua, and the Croatian/Bosnian/Serbian split (`OPINION_*` below)
        self.counts: Counter[str] = Counter()
        if self.config.second_opinion:
            if self.config.second_opinion_model == "heliport":
                shared_heliport()  # one model per process, whatever the number of identifiers or tasks
                if self.config.reads_regional_model:
                    regional_model(self.config.regional_model_path)  # memory-mapped, ~4 MB
                if self.config.reads_romanized_model:
                    romanized_model()  # 1.8 MB file, 3.7 MB as float32
            else:
                preload()

    def all_counts(self) -> Counter[str]:
        """`counts`, with the lingua calls the Croatian/Bosnian/Serbian splits of the process made (`LINGUA_ASKED`)."""
        return self.counts + Counter({LINGUA_ASKED: LINGUA_CALLS[0]})

    # -- fastText -------------------------------------------------------------------------------
    def fasttext_top(self, flat: str) -> dict[str, float]:
        """fastText's top five {code: probability} for a one-line text (no newline)."""
        top: dict[str, float] = {}
        for p, label in self._predict(flat, _TOP_K):
            code = _CODE.get(label) or _code(label)
            top[code] = top.get(code, 0.0) + (p if p < 1.0 else 1.0)
        return top

    # -- one text -------------------------------------------------------------------------------
    def identify_text(self, text: str) -> LangGuess:
        """The language of `text` read as one piece (a sentence, a paragraph, a short document)."""
        flat = " ".join(text.split())
        first = self.first_pass(flat)
        guess = first.decided if first.decided is not None else self.second_opinion(flat, first)
        return self.veto(flat, guess, first.ft)

    def veto(
        self, flat: str, guess: LangGuess, ft: dict[str, float], rivals: Mapping[str, float] | None = None
    ) -> LangGuess:
        """`guess` unless it is EU-24 and `flat` is in a European language outside the EU-24 (`long_tail_veto`;
        `rivals`: fastText's views of `flat`'s paragraphs, when `ft` is no view of the whole)."""
        cfg = self.config
        if not self._vetoes or guess.lang not in _EU24:
            return guess
        if cfg.romanized_veto and EU24_SCRIPT[guess.lang] == LATIN and ft.get(guess.lang, 0.0) < cfg.veto_gate_score:
            romanized = romanized_veto(flat)
            if romanized is not None:  # `other`: routed by language, it would join the language's own-script text
                self.counts[ROMANIZED] += 1
                return LangGuess(OTHER, round(1.0 - ft.get(guess.lang, 0.0), 6), f"romanized:{romanized.lang}")
        if guess.lang not in cfg.veto_labels:
            return guess
        found = long_tail_veto(
            flat,
            guess.lang,
            ft,
            margins=cfg.veto_margins,
            default_margin=cfg.veto_margin,
            gate_score=cfg.veto_gate_score,
            rival_score=cfg.veto_rival_score,
            fasttext_score=cfg.veto_fasttext_score,
            min_hits=cfg.marker_min_hits,
            ask_heliport=guess.lang not in HBS,  # heliport reads all three as its own `hbs`: `langid.hbs` splits
            regional=cfg.regional_veto,
            regional_min_lead=cfg.regional_min_lead,
            regional_model_path=cfg.regional_model_path,
            glance_chars=cfg.veto_glance_chars,
            glance_lead=cfg.veto_glance_lead,
            rivals=rivals,
            counts=self.counts,
        )
        return guess if found is None else LangGuess(found.lang, found.score, found.path)

    def first_pass(self, flat: str) -> FirstPass:
        """fastText, the script and the Maltese spelling test: decides where that is enough (the fast path)."""
        script = dominant_script(flat)
        if script == NO_SCRIPT:
            return FirstPass(script, {}, None, LangGuess(UNDETERMINED, 0.0, "none"))
        cfg = self.config
        if script == LATIN and cfg.second_opinion:  # spelling first: fastText is no help on Maltese
            n, n_words = maltese_evidence(flat)
            if n >= 2 and n / n_words >= cfg.maltese_min_rate:
                return FirstPass(script, {}, None, LangGuess("mt", min(0.99, 0.5 + 4 * n / n_words), "maltese"))
        ft = self.fasttext_top(flat)
        top = max(ft, key=ft.__getitem__)
        p = ft[top]
        if script == GREEK:  # only Greek among the EU-24 is written in Greek letters
            return FirstPass(
                script,
                ft,
                None,
                LangGuess("el", max(p if top == "el" else 0.0, 0.5 + 0.5 * ft.get("el", 0.0)), "script"),
            )
        if script == CYRILLIC:
            group: str | None = "bg"
        elif top in _EU24 and EU24_SCRIPT[top] != script:  # e.g. Latin text called Bulgarian
            group, p = None, 0.0
        else:
            group = GROUP_OF.get(top)
        if (
            top in _EU24 and p >= cfg.sure_score_for(top) and not self._rival(ft, group, top)
        ) or not cfg.second_opinion:
            return FirstPass(script, ft, group, LangGuess(top, p, "fast"))
        if group is None and not (p < cfg.broad_below and script == LATIN):
            return FirstPass(script, ft, group, LangGuess(top if top in _EU24 or len(top) <= 3 else OTHER, p, "fast"))
        return FirstPass(script, ft, group, None)

    def read_document(self, parts: list[str], long_read: Callable[[int], str]) -> FirstPass:
        """One reading of a sample of a whole document (in `parts`, one fastText call each): `decided` when
        fastText, plus at most one second opinion inside a confusable group, settles the document as written in
        one language; otherwise its paragraphs must be read, and `ft` is the page's context for them.

        `long_read(n)` gives the document's leading `n` characters, flattened, for the languages whose second
        opinion needs more text than the sample (`always_ask`).
        """
        cfg = self.config
        flat = " ".join(parts)
        script = dominant_script(flat)
        if script == NO_SCRIPT:
            return FirstPass(script, {}, None, LangGuess(UNDETERMINED, 0.0, "none"))
        if script == LATIN and cfg.second_opinion and maltese_evidence(flat)[0]:
            return FirstPass(script, {}, None, None)  # Maltese pages quote English: only paragraphs tell them apart
        if len(parts) == 1:
            ft = self.fasttext_top(flat)
        else:  # each part read alone: a foreign block in one of them shakes fastText there, not in the average
            ft = {}
            for part in parts:
                for code, q in self.fasttext_top(part).items():
                    ft[code] = ft.get(code, 0.0) + q * len(part)
            n = sum(len(part) for part in parts)
            ft = {code: q / n for code, q in ft.items()}
        top = max(ft, key=ft.__getitem__)
        p = ft[top]
        if top in _EU24 and EU24_SCRIPT[top] != script:
            return FirstPass(script, ft, None, None)
        group = "bg" if script == CYRILLIC else GROUP_OF.get(top)
        members = CONFUSABLE_GROUPS[group] if group is not None else (top,)
        mass = sum(ft.get(m, 0.0) for m in members)
        rivals = mass - p if top in members else mass
        sure = p >= cfg.document_sure_score_for(top) and rivals <= cfg.document_rival_score
        if top in _EU24 and top not in cfg.always_ask and sure:
            return FirstPass(script, ft, group, self.veto(flat, LangGuess(top, p, "document"), ft))
        if top not in _EU24 and group is None and script == LATIN and p >= cfg.document_sure_score:
            return FirstPass(script, ft, group, LangGuess(top if len(top) <= 3 else OTHER, p, "document"))
        if group is None or not cfg.second_opinion or mass < cfg.document_group_mass_for(group):
            return FirstPass(script, ft, group, None)
        text = long_read(cfg.always_ask_chars) if top in cfg.always_ask else flat[: cfg.pooled_chars]
        guess = self._group_opinion(text, ft, group)
        if top not in cfg.always_ask and guess.lang in cfg.always_ask:  # e.g. read as Slovenian, lingua says Croatian
            guess = self._group_opinion(long_read(cfg.always_ask_chars), ft, group)
        decided = self.veto(flat, LangGuess(guess.lang, guess.score, "document+" + guess.path), ft)
        return FirstPass(script, ft, group, decided)

    def second_opinion(self, flat: str, first: FirstPass) -> LangGuess:
        """lingua (and spelling) on a text fastText was unsure of: inside its group, or across Europe."""
        if first.group is not None:
            return self._group_opinion(flat, first.ft, first.group)
        return self._broad_opinion(flat, first.ft)

    def _rival(self, ft: dict[str, float], group: str | None, top: str) -> bool:
        if group is None:
            return False
        return any(ft.get(m, 0.0) > self.config.rival_score for m in CONFUSABLE_GROUPS[group] if m != top)

    def _group_opinion(
        self, flat: str, ft: dict[str, float], group: str, asked: dict[str, float] | None = None
    ) -> LangGuess:
        """lingua inside `group` (with fastText's runners-up), weighed with fastText and the spelling rules.

        `asked`: lingua's probabilities from a call on `flat` over more languages; restricted to the group's
        members and renormalised they are what a call over the members alone gives (checked to 1e-14).
        """
        self.counts[OPINION_GROUP] += 1
        cfg = self.config
        # fastText's runners-up that lingua knows join the group: Irish read as Portuguese, Romanian
        # without diacritics read as Spanish are then set right by lingua
        runners_up = tuple(
            c
            for c, q in ft.items()
            if q >= cfg.runner_up_score and c in LINGUA_NAME and c not in CONFUSABLE_GROUPS[group]
        )
        heliport = cfg.second_opinion_model == "heliport"
        if heliport:  # heliport knows more of Europe: its runners-up that fastText also names join too
            runners_up = tuple(
                c
                for c, q in ft.items()
                if q >= cfg.runner_up_score and c in HELIPORT_KNOWS and c not in CONFUSABLE_GROUPS[group]
            )
        members = CONFUSABLE_GROUPS[group] + runners_up
        mass = sum(ft.get(m, 0.0) for m in members)
        probs = {m: ft.get(m, 0.0) for m in members}
        if heliport:
            known, lingua = self._heliport_view(flat, members, group)
        else:
            known = lingua_known(members)
        if len(known) >= 2:
            pooled = sum(probs.get(m, 0.0) for m in members if m in known or m == "hbs")
            if heliport:
                pass
            elif asked is not None and all(m in asked for m in known):
                in_group = sum(asked[m] for m in known)
                lingua = {m: asked[m] / in_group for m in known} if in_group > 0 else dict.fromkeys(known, 0.0)
            else:
                self.counts[LINGUA_ASKED] += 1
                lingua = lingua_probabilities(flat, known)
            # lingua's view times fastText's (tempered) view: either alone is confidently wrong somewhere
            floor = 0.01
            short = len(flat) < cfg.prior_below_chars
            # with heliport, Croatian, Bosnian and Serbian are one language to fastText and the group prior (lid.176
            # reads most Bosnian as Croatian): only `langid.hbs` tells them apart, on its own calibration
            pooled_hbs = heliport and group == "hr"
            ft_hbs = sum(ft.get(m, 0.0) for m in (*HBS, "hbs"))
            weighted = {
                m: lingua.get(m, 0.0)
                * (cfg.group_priors.get("hr" if pooled_hbs and m in HBS else m, 1.0) if short else 1.0)
                * ((ft_hbs if pooled_hbs and m in HBS else ft.get(m, 0.0)) + floor) ** cfg.fasttext_weight
                for m in known
            }
            if group == "hr" and "hr" in weighted and not heliport:  # `split_hbs` weighs the same words
                weighted["hr"] *= math.exp(cfg.croatian_word_weight * croatian_balance(words(flat)))
            total = sum(weighted.values())
            if total > 0:
                for m in set(members) | set(known):
                    if m in known or m == "hbs":
                        probs[m] = pooled * weighted.get(m, 0.0) / total
        if group == "ga":
            acute, grave = gaelic_accents(flat)
            if grave >= 2 and grave > acute:
                probs["gd"] = max(probs.values()) + 0.01
            elif acute >= 2 and acute > grave:
                probs["ga"] = max(probs.values()) + 0.01
        tokens: list[str] | None = None  # read only for a member whose marker words count (most groups have none)
        for m in members:
            if m not in known and m != "hbs" and m in MARKER_WORDS:
                tokens = words(flat) if tokens is None else tokens
                hits = marker_hits(tokens, m)
                if hits >= cfg.marker_min_hits:
                    probs[m] = max(probs.values()) * (1.0 + 0.1 * hits)
        total = sum(probs.values())
        if total <= 0:
            top = max(ft, key=ft.__getitem__)
            return LangGuess(top, ft[top], f"group:{group}")
        winner = max(probs, key=probs.__getitem__)
        # calibrated: P(group) by fastText (floored: fastText's top-5 is where the group came from)
        # times the share of the group's probability the winner holds
        score = max(mass, 0.5) * probs[winner] / total
        if winner == "hbs":
            winner = OTHER
        return LangGuess(winner, round(min(score, 1.0), 6), f"group:{group}")

    def _heliport_view(
        self, flat: str, members: tuple[str, ...], group: str
    ) -> tuple[tuple[str, ...], dict[str, float]]:
        """heliport's probabilities over the `members` it knows; its `hbs` (Croatian, Bosnian and Serbian as one) is
        split by `langid.hbs` in Latin script and is Serbian in Cyrillic."""
        cfg = self.config
        cyrillic = group == "bg"
        codes = {m: ("hbs" if m in HBS or m == "hbs" else m) for m in members if m in HELIPORT_KNOWS or m in HBS}
        if cyrillic:
            codes = {m: c for m, c in codes.items() if m not in ("hr", "bs", "hbs")}
        # heliport is as sure on 600 characters as on the 2,000 Croatian pages get, at a third of the cost
        raw = heliport_scores(flat[:HELIPORT_CHARS])
        probs = heliport_probabilities(raw, tuple(set(codes.values())), cfg.heliport_sharpness)
        view: dict[str, float] = {}
        hbs_members = [m for m, c in codes.items() if c == "hbs" and m != "hbs"]
        for m, c in codes.items():
            if c != "hbs":
                view[m] = probs[c]
        if hbs_members:
            p_hbs = probs.get("hbs", 0.0)
            if cyrillic:
                view["sr"] = p_hbs
            else:
                self.counts[HBS_SPLIT] += 1
                split = split_hbs(flat, cfg.hbs_croatian_log_odds, cfg.hbs_tell_weight)
                for m in HBS:
                    view[m] = p_hbs * split[m]
        return tuple(sorted(view)), view

    def _broad_opinion(self, flat: str, ft: dict[str, float]) -> LangGuess:
        self.counts[OPINION_BROAD] += 1
        if self.config.second_opinion_model == "heliport":
            return self._broad_heliport(flat, ft)
        # lingua weighs fastText's five candidates and their look-alikes (cost grows with the languages asked)
        candidates = set(ft)
        for code in ft:
            candidates.update(CONFUSABLE_GROUPS.get(GROUP_OF.get(code, ""), ()))
        known = lingua_known(tuple(candidates))
        if len(known) < 2:  # fastText's candidates are not European languages lingua could weigh: it has the say
            top = max(ft, key=ft.__getitem__)
            return LangGuess(top, ft[top], "broad")
        self.counts[LINGUA_ASKED] += 1
        lingua = lingua_probabilities(flat, known)
        if not lingua or max(lingua.values()) <= 0:
            top = max(ft, key=ft.__getitem__)
            return LangGuess(top, ft[top], "broad")
        winner = max(lingua, key=lingua.__getitem__)
        # lingua's own confidence is relative to the languages asked; temper it with fastText's view
        score = math.sqrt(lingua[winner] * max(ft.get(winner, 0.0), lingua[winner] * 0.5))
        group = GROUP_OF.get(winner)
        if group is not None and group != "mt" and winner in _EU24:
            # the group's members lingua knows were among those asked: its view of them is already there
            guess = self._group_opinion(flat, ft | {winner: max(ft.get(winner, 0.0), lingua[winner])}, group, lingua)
            return LangGuess(guess.lang, guess.score, "broad+" + guess.path)
        return LangGuess(winner, round(score, 6), "broad")

    def _broad_heliport(self, flat: str, ft: dict[str, float]) -> LangGuess:
        # heliport reads the text against all of its languages (one call, ~20 µs); a winner in a confusable group
        # gets that group's opinion, fastText's view included
        raw = heliport_scores(flat)
        if not raw:
            top = max(ft, key=ft.__getitem__)
            return LangGuess(top, ft[top], "broad")
        probs = heliport_probabilities(raw, tuple(raw), self.config.heliport_sharpness)
        winner = max(probs, key=probs.__getitem__)
        p = probs[winner]
        if winner == "hbs":
            winner = "hr" if dominant_script(flat) == LATIN else "sr"
        group = GROUP_OF.get(winner)
        if group is not None and group != "mt" and (winner in _EU24 or winner in HBS):
            guess = self._group_opinion(flat, ft | {winner: max(ft.get(winner, 0.0), p)}, group)
            return LangGuess(guess.lang, guess.score, "broad+" + guess.path)
        score = math.sqrt(p * max(ft.get(winner, 0.0), p * 0.5))
        if winner not in _EU24 and winner not in EUROPEAN_NON_EU24 and len(winner) > 3:
            winner = OTHER
        return LangGuess(winner, round(score, 6), "broad")
