"""Councils by their web addresses: a site's host ("democracy.kent.gov.uk", "ashford.moderngov.co.uk"), the
addresses a page prints ("…@slough.gov.uk"), a folder named after a council ("kent-cc"). The domains are the
national list's (``ingest/layouts/councils.tsv``); how sites are built is ``council_forms.json``'s "web"."""
from __future__ import annotations

import re
from functools import cache
from urllib.parse import urlsplit

from ingest.councils import Council, fold, forms, national, one_of

# An address starts where its run of name characters starts: from inside the run it would fail as from its start,
# and trying each place made one long word (a 200k-letter token, an inline image's base64) cost its square.
_EMAIL = re.compile(r"(?<![\w.+-])[\w.+-]+@((?:[a-z0-9-]+\.)+[a-z]{2,})\b", re.I)
# a bare host or URL ending a sentence keeps its full stop out: "see www.rbwm.gov.uk/grants."
_HOST = re.compile(r"(?<![\w@.-])(?:https?://)?((?:[a-z0-9-]+\.)+(?:uk|wales|cymru|scot|com|org|net))(?::\d+)?"
                   r"(?=[/\s:,;)]|$|\.\s|\.$)", re.I | re.M)


def registrable(host: str) -> str:
    """"democracy.kent.gov.uk" -> "kent.gov.uk"; "www.derrystrabane.com" -> "derrystrabane.com"."""
    host = host.lower().strip(".").split(":")[0]
    for suffix in forms().suffixes:
        if host.endswith("." + suffix):
            label = host[: -len(suffix) - 1].rsplit(".", 1)[-1]
            return f"{label}.{suffix}" if label else ""
    return host


@cache
def _by_domain() -> tuple[dict[str, list[Council]], dict[str, list[Council]]]:
    """Registrable domains -> councils; squashed labels ("westsussex", "eppingforest", "rbwm") -> councils."""
    domains: dict[str, list[Council]] = {}
    labels: dict[str, list[Council]] = {}
    for c in sorted(national(), key=lambda c: not c.current):
        for d in c.domains:
            domains.setdefault(d, []).append(c)
            for label in _label_forms(d.split(".")[0]):
                labels.setdefault(label, []).append(c)
        for n in c.short_names:
            squashed = re.sub(r"[^a-z0-9]", "", fold(n))
            labels.setdefault(squashed, []).append(c)
            labels.setdefault(squashed.replace("and", ""), []).append(c)
    return domains, {k: list(dict.fromkeys(v)) for k, v in labels.items()}


def _label_forms(label: str) -> list[str]:
    """A host label and the same with the words sites add around a council's name taken off:
    "eppingforestdc" -> "eppingforest", "rutlandcounty" -> "rutland", "cherwell-dc" -> "cherwell"."""
    out = [re.sub(r"[^a-z0-9]", "", label.lower())]
    changed = True
    while changed:
        changed = False
        for affix in forms().label_affixes:
            word = out[-1]
            if word.endswith(affix) and len(word) - len(affix) >= 3:
                out.append(word[: -len(affix)])
                changed = True
                break
            if word.startswith(affix) and len(word) - len(affix) >= 3:
                out.append(word[len(affix):])
                changed = True
                break
    return out


def by_host(host: str) -> Council | None:
    """The council whose site ``host`` is: by its domain ("democracy.kent.gov.uk"), by the first label of a
    host on a publishing platform ("ashford.moderngov.co.uk"), else by a label that spells the council's name
    ("cherwell-dc.gov.uk"); None where the host names no council, or two."""
    host = (host or "").lower().strip(".").split(":")[0]
    if not host or "." not in host:
        return None
    domains = _by_domain()[0]
    hosted = next((h for h in forms().hosting if host.endswith("." + h)), "")
    if hosted:
        label = host[: -len(hosted) - 1].split(".")[0]
    else:
        domain = registrable(host)
        if domain in domains:
            return one_of(domains[domain])
        if not domain.endswith((".gov.uk", ".gov.wales", ".llyw.cymru", ".gov.scot")):
            return None  # a label outside government domains spells a council only by chance
        label = domain.split(".")[0]
    return _by_label(label)


def _by_label(label: str) -> Council | None:
    labels = _by_domain()[1]
    for form in _label_forms(label):
        if form in labels:
            return one_of(labels[form])
    return None


def by_folder(name: str) -> Council | None:
    """The council a folder's name spells ("kent-cc", "west-sussex", "windsor-maidenhead", "bcp"): its
    distinctive part or its domain's label, words people add ("cc", "council") aside; None for any other."""
    return _by_label(name) if re.fullmatch(r"[A-Za-z][A-Za-z_ .-]{1,60}", name or "") else None


def by_url(url: str) -> Council | None:
    """The council whose site ``url`` is on ("https://democracy.kent.gov.uk:9071/..." -> Kent County Council)."""
    try:
        return by_host(urlsplit(url if "//" in url else "//" + url).hostname or "")
    except ValueError:
        return None


def addressed(text: str) -> Council | None:
    """The council whose web address or e-mail address a page prints ("…@kent.gov.uk", "www.slough.gov.uk"):
    the one council most of its addresses belong to, None where there is none or a tie."""
    counts: dict[Council, int] = {}
    for m in (*_EMAIL.finditer(text), *_HOST.finditer(text)):
        council = by_host(m.group(1))
        if council is not None:
            counts[council] = counts.get(council, 0) + 1
    if not counts:
        return None
    ranked = sorted(counts.items(), key=lambda kv: -kv[1])
    return ranked[0][0] if len(ranked) == 1 or ranked[0][1] > ranked[1][1] else None
