"""Invented decision pages of three invented councils, in ModernGov's "Decision details" and decision-list layouts,
for the similar-decisions and precedent-question tests (``tests/test_similar.py``, ``tests/test_precedents.py``).

Three subjects recur across councils (garden waste charges, parking zones, home care contracts) beside decisions on
other subjects; Northvale's parking zone decision is published twice (its page, and a decision list that prints a
reference for it), and Eastmarsh's parking review is two numbered resolutions of one item."""
from __future__ import annotations

from pathlib import Path

EASTMARSH, NORTHVALE, WESTSHIRE = "Borough of Eastmarsh", "Northvale District Council", "Westshire County Council"


def details(title: str, maker: str, purpose: str, decision: str, reasons: str, date: str, url_id: int = 0) -> str:
    return f"""Decision details

{title}

Decision Maker: {maker}

Decision status: Recommendations Approved

Is Key decision?: No

Purpose:

{purpose}

Decision:

{decision}

Reasons for the decision:

{reasons}

Wards affected: (All Wards);

Publication date: {date}

Date of decision: {date}

Effective from: {date}
"""


PAGES = {
    "eastmarsh/garden-waste.txt": (EASTMARSH, details(
        "Garden Waste Collection Charge 2024/25", "Cabinet",
        "To set the annual charge for the fortnightly garden waste collection service from April 2024.",
        "That the annual garden waste collection charge be increased from £45 to £52 per bin from 1 April 2024.",
        "The charge for collecting garden waste bins no longer covers the cost of the garden waste rounds.",
        "12/02/2024")),
    "northvale/garden-waste.txt": (NORTHVALE, details(
        "Charging for Garden Waste Collections", "Portfolio Holder for Environment",
        "To introduce a subscription charge for the collection of garden waste bins.",
        "That a subscription charge of £40 a year per garden waste bin be introduced for garden waste collections.",
        "Garden waste collection is a discretionary service and the charge recovers the cost of the rounds.",
        "03/06/2022")),
    "westshire/garden-waste.txt": (WESTSHIRE, details(
        "Garden Waste Subscription Fee", "Cabinet Member for Waste",
        "To review the garden waste subscription fee for garden waste bins collected from households.",
        "That the garden waste subscription fee per bin be held at £38 for 2023/24.",
        "Holding the garden waste fee keeps the collection affordable while covering the cost of the rounds.",
        "20/01/2023")),
    "northvale/parking-zone.txt": (NORTHVALE, details(
        "Controlled Parking Zone Extension", "Portfolio Holder for Transport",
        "To extend the controlled parking zone and resident parking permits to streets near the station.",
        "That the controlled parking zone be extended to Station Road and Mill Street, with resident parking permits.",
        "Residents asked for parking controls because commuters park all day in residential streets.",
        "04/03/2024")),
    "westshire/home-care.txt": (WESTSHIRE, details(
        "Home Care Contract Extension", "Cabinet Member for Adult Social Care",
        "To extend the home care contracts with the current home care providers for twelve months.",
        "That the home care contracts be extended with existing providers to March 2025.",
        "Extending the home care contracts gives time to recommission home care services.",
        "15/02/2024")),
    "eastmarsh/home-care.txt": (EASTMARSH, details(
        "Care at Home Services – Direct Award", "Director of Adult Services",
        "To award care at home contracts directly to existing home care providers for one year.",
        "That care at home contracts be awarded directly to the existing home care providers until March 2024.",
        "A direct award of the home care contracts keeps care in people's homes while services are recommissioned.",
        "10/03/2023")),
    "northvale/library.txt": (NORTHVALE, details(
        "Library Opening Hours", "Portfolio Holder for Culture",
        "To change the opening hours of the town library on Saturdays.",
        "That the library open from 9am to 5pm on Saturdays.",
        "Visitor counts show most library visits are on Saturday mornings.",
        "11/05/2023")),
}

LIST_PAGES = {
    # the Northvale parking decision again, in a list that prints its reference; two resolutions of one Eastmarsh item
    "northvale/decisions-2024-03.txt": (NORTHVALE, """Decisions

Decisions published

04/03/2024 - Controlled Parking Zone Extension ref: 205    Recommendations Approved

Decision Maker: Portfolio Holder for Transport

Decision published: 05/03/2024

Decision:

That the controlled parking zone be extended to Station Road and Mill Street, with resident parking permits.

Wards affected: Station;
"""),
    "eastmarsh/decisions-2023-09.txt": (EASTMARSH, """Decisions

Decisions published

19/09/2023 - Residents Parking Review ref: 301    Recommendations Approved

Decision Maker: Cabinet

Decision published: 20/09/2023

Decision:

That two controlled parking zones with resident parking permits be introduced in the Old Town after the residents parking review.

Wards affected: Old Town;


19/09/2023 - Residents Parking Review ref: 302    Recommendations Approved

Decision Maker: Cabinet

Decision published: 20/09/2023

Decision:

That the car park at the Town Hall become short stay parking with a maximum stay of two hours.

Wards affected: Old Town;
"""),
}


def write(root: Path) -> dict[str, list[Path]]:
    """The pages under ``root``, by council (ingest each council's with ``--council``)."""
    out: dict[str, list[Path]] = {}
    for name, (council, text) in {**PAGES, **LIST_PAGES}.items():
        path = root / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
        out.setdefault(council, []).append(path)
    return out


def build_index(root: Path, embedder=None, spec: str = "hash:384") -> Path:
    from index.build import build
    from index.embed import HashEmbedder
    from ingest.pipeline import IngestOptions

    embedder = embedder or HashEmbedder(384)
    index_dir = root / "index"
    for council, paths in write(root / "pages").items():
        build(paths, index_dir, embedder, spec, options=IngestOptions(council=council))
    return index_dir
