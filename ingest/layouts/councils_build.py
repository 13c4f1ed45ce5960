"""Build ``councils.tsv``, the national list of UK principal councils, from the published open lists named in
``COUNCILS.md``. Reproducible: fetch the four source files at the commits below into one folder, then

    python -m ingest.layouts.councils_build SOURCE_DIR        # writes ingest/layouts/councils.tsv

Sources (file names in SOURCE_DIR):
- ``mysociety_info.json``: mysociety/uk_local_authority_names_and_codes @ 67ef8b118938678401a452f4f19f669a7221cc73,
  ``data/source/local-authority-info.json`` (names, nice names, alt names, types, dates, successors; CC BY 4.0)
- ``mysociety_current.csv``: the same commit, ``data/packages/uk_la_past_current/uk_local_authorities_current.csv``
  (the SNAC codes that join the GOV.UK and Directgov lists)
- ``openregister_wales.tsv``: openregister/local-authority-data @ 68f499152ba799feae602e67c6e30ae0914f2230,
  ``data/principal-local-authority/principal-local-authority.tsv`` (Welsh names; OGL v3.0);
  ``openregister_websites.tsv``: the same commit, ``maps/website.tsv`` (Welsh, Scottish, NI websites)
- ``directgov_contacts.csv``: the same openregister commit,
  ``lists/local-directgov/local_authority_contact_details.csv``
  (English councils' home pages and e-mail addresses as Directgov listed them; OGL v3.0)
- ``govuk_local_authorities.csv``: alphagov/local-links-manager @ e0044d06811681acc2ed14acbd83cfdaa4177714,
  ``data/local-authorities.csv`` (GOV.UK's current home page of each council; Crown copyright, MIT/OGL)
"""
from __future__ import annotations

import csv
import json
import re
import sys
from pathlib import Path
from urllib.parse import urlsplit

from ingest.council_sites import registrable
from ingest.councils import distinctive, key, proper

OUT = Path(__file__).resolve().parent / "councils.tsv"
KINDS_LEFT_OUT = {"COMB", "SRA"}  # combined and strategic authorities: not councils whose decisions we index
COLUMNS = ("code", "name", "short", "name_cy", "short_cy", "domains", "nation", "kind", "county", "start", "end",
           "replaced_by", "gss")
HEADER = ("# UK principal councils, current and abolished since 2015 (end = the day abolished). Built by "
          "ingest/layouts/councils_build.py from mySociety's uk_local_authority_names_and_codes (CC BY 4.0), "
          "openregister/local-authority-data (OGL v3.0) and GOV.UK local-links-manager (OGL v3.0): see COUNCILS.md.")


def _bad(text: str) -> bool:
    """Mis-encoded text in a source ("Sir Ynys Mï¿½n"), or a statistical label ("Slough UA", "Bristol, City of")."""
    return any(ch in text for ch in ("\ufffd", "ï¿½", "ï¾")) or text.endswith((" UA", " CA")) or ", " in text \
        and ", " not in text.replace(", City of", "")


def _shorts(row: dict, welsh: str = "") -> list[str]:
    """The council's distinctive parts: its nice name's, its official name's, its Welsh official name's
    ("Ynys Môn") and its properly written alt names' ("Shepway", "Durham"), each without a form ("City of
    Bristol" -> "Bristol")."""
    names = [row["nice-name"], row["official-name"]] + ([welsh] if welsh else [])
    names += [a for a in row.get("alt-names", []) if a != a.lower() and not _bad(a)]
    # a lower-case alt name that is the nice name's last words: "anglesey" (Isle of Anglesey), "durham"
    nice = distinctive(row["nice-name"]).split()
    names += [" ".join(nice[i:]) for a in row.get("alt-names", []) if a == a.lower()
              for i in range(1, len(nice)) if key(" ".join(nice[i:])) == key(a)]
    out: list[str] = []
    for n, name in enumerate(names):
        part = re.sub(r"^The\s+", "", distinctive(name.replace("&", "and")))
        # a name's own words stand even where one opens sentences elsewhere ("City of London")
        if part and (proper(part) or n < 2 and part[0].isupper()) and key(part) not in {key(o) for o in out}:
            out.append(" ".join(part.split()))
    return out


def _hosts(*urls: str) -> list[str]:
    out = []
    for url in urls:
        url = (url or "").strip()
        if "@" in url:
            host = url.rsplit("@", 1)[1]
        else:
            host = urlsplit(url if "//" in url else "//" + url).hostname or ""
        domain = registrable(host) if host else ""
        if domain and "." in domain and domain not in out:
            out.append(domain)
    return out


def build(src: Path) -> list[dict]:
    info = json.loads((src / "mysociety_info.json").read_text(encoding="utf-8"))
    snac = {r["local-authority-code"]: r["snac"] for r in csv.DictReader(
        (src / "mysociety_current.csv").open(encoding="utf-8", errors="replace"))}
    welsh = {r["principal-local-authority"]: r for r in csv.DictReader(
        (src / "openregister_wales.tsv").open(encoding="utf-8"), delimiter="\t")}
    websites: dict[str, list[str]] = {}
    for r in csv.DictReader((src / "openregister_websites.tsv").open(encoding="utf-8"), delimiter="\t"):
        for col in ("local-authority-nir", "local-authority-sct", "principal-local-authority"):
            if r.get(col):
                websites.setdefault(r[col], []).append(r["website"])
    directgov: dict[str, list[str]] = {}
    for r in csv.DictReader((src / "directgov_contacts.csv").open(encoding="utf-8", errors="replace")):
        if not r["SNAC Code"].strip():
            continue  # the list's other public bodies
        directgov.setdefault(r["SNAC Code"].strip(), []).extend(
            [r["Home page URL"], r["Contact page URL"], r["Main Contact Email"]])
    govuk: dict[str, list[str]] = {}
    for r in csv.DictReader((src / "govuk_local_authorities.csv").open(encoding="utf-8")):
        govuk.setdefault(r["gss"], []).append(r["homepage_url"])

    rows = []
    for r in info:
        kind = _kind(r)
        if kind in KINDS_LEFT_OUT:
            continue
        code = r["local-authority-code"]
        gss = [r["gss-code"], *r.get("former-gss-codes", [])]
        w = welsh.get(code, {})
        urls = ([u for g in gss for u in govuk.get(g, [])] + websites.get(code, [])
                + directgov.get(snac.get(code) or "-", []))
        welsh_name = w.get("official-name-cy", "")
        rows.append({"code": code, "name": " ".join(r["official-name"].split()), "short": _shorts(r, welsh_name),
                     "name_cy": welsh_name, "short_cy": w.get("name-cy", ""),
                     "domains": _hosts(*urls), "nation": r["nation"], "kind": kind,
                     "county": r.get("county-la") or "",
                     "start": r.get("start-date", ""), "end": r.get("end-date", ""),
                     "replaced_by": [c for c in r.get("replaced-by", "").split(",") if c], "gss": r["gss-code"]})
    by_code = {row["code"]: row for row in rows}
    for row in rows:  # a county made a unitary council of the same name left it its site (northyorks.gov.uk)
        if row["end"] and len(row["replaced_by"]) == 1:
            successor = by_code.get(row["replaced_by"][0])
            if (successor is not None and not successor["domains"]
                    and key(successor["short"][0]) == key(row["short"][0])):
                successor["domains"] = list(row["domains"])
    rows.sort(key=lambda row: row["code"])
    return rows


_KINDS = {"County": "CTY", "Unitary authority": "UA", "Non-metropolitan district": "NMD", "Metropolitan district": "MD",
          "London borough": "LBO", "Welsh unitary authority": "WPA", "Scottish unitary authority": "SCO",
          "NI district": "NID", "City corporation": "CC", "Combined authority": "COMB",
          "Strategic Regional Authority": "SRA"}


def _kind(row: dict) -> str:
    return _KINDS.get(row.get("local-authority-type-name", ""), row.get("local-authority-type-name", ""))


def write(rows: list[dict], out: Path = OUT) -> None:
    with out.open("w", encoding="utf-8", newline="") as fh:
        fh.write(HEADER + "\n")
        writer = csv.writer(fh, delimiter="\t", lineterminator="\n")
        writer.writerow(COLUMNS)
        for row in rows:
            writer.writerow([";".join(v) if isinstance(v, list) else v for v in (row[c] for c in COLUMNS)])


if __name__ == "__main__":
    source = Path(sys.argv[1] if len(sys.argv) > 1 else "/tmp/councils-src")
    built = build(source)
    write(built)
    print(f"{len(built)} councils ({sum(1 for r in built if not r['end'])} current) written to {OUT}")
