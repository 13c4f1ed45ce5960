"""Synthetic council decisions made from the bundled sample, for the benchmark and the distractor eval.

Each synthetic decision takes one sample document as its template and changes what makes a decision its
own: the decision number (every number in the text), the service it is about (the sample's topic phrases
are replaced by another service's name), the money (every £ amount scaled), the years, and the people.
It keeps a random subset of the template's body paragraphs (``keep``), always with the header that names
the decision, so documents differ in length and content. What stays the same is the boilerplate a real
council repeats in every decision, which is what makes these good distractors: they look like the real
ones and share their vocabulary, but they are about other services, other sums and other years.

Numbers are ``10/50000`` to ``19/...``: the sample's decisions are from 2020 to 2022, so no synthetic
number can be mistaken for a real one. Generation is deterministic for a given seed.
"""
from __future__ import annotations

import random
import re
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from ingest.pipeline import parse_all
from ingest.records import ParsedDocument

SAMPLE = Path(__file__).resolve().parent.parent / "data" / "sample"

# The sample's own subjects, longest first so the longest match wins.
TOPIC_PHRASES = sorted(
    [
        "External Community Opportunities for People with Learning and Physical Disabilities",
        "Community Day Opportunities for Individuals with Disabilities",
        "Community Support Services for Disabled Children & Young People",
        "Care and Support in the Home Service Phase 2 -Supported Living",
        "Care and Support in the Home Service",
        "Care and Support in the Home",
        "Carers['’] Short Breaks Services?",
        "Carers['’] Short Breaks",
        "External Community Opportunities",
        "Community Day Opportunities",
        "Community Support Services",
        "Supported Living",
        "Short Breaks",
        "day opportunities",
    ],
    key=len,
    reverse=True,
)
_TOPIC = re.compile("|".join(TOPIC_PHRASES), re.IGNORECASE)
_MONEY = re.compile(r"£(\d[\d,]*(?:\.\d+)?)")
_YEAR = re.compile(r"(?<!Act )(?<!Regulations )\b(20[12]\d)\b")  # dates move; statutes keep their year
_NUMBER = re.compile(r"\b\d{2}/\d{5}\b")
_PEOPLE = re.compile(r"Clair Bell|Richard Smith|Sue Chandler|Matt Dunkley")

# Never a subject of the gold set's out-of-corpus questions (libraries, school meals, potholes...): with those
# among the distractors, "Who won the contract for school meals?" would have an answer in the index.
SERVICES = [
    "Home to School Transport", "Highways Drainage Maintenance", "Museum Outreach Programme",
    "Household Waste Recycling Centres", "Public Rights of Way Improvements", "Young Carers Support",
    "Mental Health Floating Support", "Domestic Abuse Refuge Accommodation", "Street Lighting LED Conversion",
    "Adult Education Venues", "Foster Carer Recruitment", "Sexual Health Clinics", "Winter Gritting Fleet",
    "Coastal Flood Defences", "Community Wardens", "Special Educational Needs Transport", "Trading Standards",
    "Country Parks Maintenance", "Archive Digitisation", "Registration Services", "Road Safety Education",
    "Smoking Cessation", "Substance Misuse Treatment", "Homelessness Prevention", "Broadband Voucher",
    "Pest Control Service", "Youth Hubs", "Care Leavers Accommodation", "Telecare Equipment",
    "Sensory Impairment Services", "Bus Pass Concessions", "Tree Planting", "Heritage Conservation",
    "Business Rates Relief", "Electric Vehicle Charging", "Early Help Family Support",
    "Occupational Therapy Equipment", "Hospital Discharge Support", "Dementia Day Care", "Advocacy Services",
]
QUALIFIERS = ["", "", "Integrated ", "County-wide ", "Specialist ", "Rural ", "Digital ", "Community "]
PEOPLE = [
    "Alan Marsh", "Priya Shah", "Dan Watkins", "Helen Ford", "Tom Okafor", "Gill Turner", "Rory Love",
    "Sarah Hamilton", "Peter Oakford", "Jenny Whittle", "Neil Baker", "Mike Hill",
]


@dataclass(frozen=True)
class SyntheticDecision:
    number: str
    topic: str
    name: str  # file name
    text: str


def templates(sample: Path = SAMPLE) -> list[ParsedDocument]:
    return [d for d in parse_all([sample]) if isinstance(d, ParsedDocument)]


def number_of(i: int) -> str:
    return f"{10 + i % 10}/{50000 + i // 10:05d}"


def is_synthetic_number(number: str) -> bool:
    return re.fullmatch(r"1\d/[5-9]\d{4}", number) is not None


def decisions(count: int, keep: float = 1.0, seed: int = 0, sample: Path = SAMPLE,
              header: int = 8) -> Iterator[SyntheticDecision]:
    """``count`` synthetic decisions; ``keep`` is the share of each template's body paragraphs kept after the
    first ``header`` paragraphs (which name the decision: number, maker, title)."""
    docs = templates(sample)
    if not docs:
        raise ValueError(f"no sample documents in {sample}")
    rng = random.Random(seed)
    for i in range(count):
        template = docs[i % len(docs)]
        topic = rng.choice(QUALIFIERS) + rng.choice(SERVICES)
        number = number_of(i)
        text = _vary(_subset(template, keep, rng, header), number, topic, rng)
        yield SyntheticDecision(number, topic, f"syn-{i:06d}-{number.replace('/', '-')}.txt", text)


def write(directory: Path, count: int, keep: float = 1.0, seed: int = 0, header: int = 8) -> list[Path]:
    directory.mkdir(parents=True, exist_ok=True)
    paths = []
    for d in decisions(count, keep, seed, header=header):
        path = directory / d.name
        path.write_text(d.text, encoding="utf-8")
        paths.append(path)
    return paths


def _subset(doc: ParsedDocument, keep: float, rng: random.Random, header: int) -> str:
    if keep >= 1.0:
        return doc.text
    text, cut = doc.text, 0
    pieces = []
    for n, p in enumerate(doc.paragraphs):
        if n < header or rng.random() < keep:
            continue
        pieces.append(text[cut : p.start])
        cut = p.end
    pieces.append(text[cut:])
    return re.sub(r"\n{3,}", "\n\n", "".join(pieces))


def _vary(text: str, number: str, topic: str, rng: random.Random) -> str:
    shift = rng.randint(-9, -2)  # years move back: 2011 to 2020 for a 2022 template
    scale = rng.uniform(0.3, 3.0)
    people = {name: rng.choice(PEOPLE) for name in ("Clair Bell", "Richard Smith", "Sue Chandler", "Matt Dunkley")}
    text = _NUMBER.sub(number, text)
    text = _TOPIC.sub(lambda m: topic.upper() if m.group(0).isupper() else topic, text)
    text = _MONEY.sub(lambda m: "£" + _scaled(m.group(1), scale), text)
    text = _YEAR.sub(lambda m: str(int(m.group(1)) + shift), text)
    return _PEOPLE.sub(lambda m: people[m.group(0)], text)


def _scaled(figure: str, scale: float) -> str:
    plain = figure.replace(",", "")
    decimals = len(plain.partition(".")[2])
    value = float(plain) * scale
    out = f"{value:,.{decimals}f}" if "," in figure else f"{value:.{decimals}f}"
    return out
