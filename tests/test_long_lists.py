"""A list too long for one quote is answered item by item, each item cited (qa.text.list_spans)."""
from __future__ import annotations

from index.build import build
from index.embed import HashEmbedder
from index.search import Searcher
from qa.ask import Asker


def test_a_long_list_is_quoted_item_by_item_every_item_cited(tmp_path):
    """"Which ... were approved?" is answered with every item of the list that answers it, not the two nearest:
    a list past one quote's length is quoted item by item, each with its citation."""
    streets = ["Abbey Road", "Barley Lane", "Cedar Close", "Dover Street", "Elm Grove", "Fern Avenue", "Glebe Way",
               "Hazel Drive", "Ivy Court", "Juniper Place"]
    items = "\n".join(f"• waiting restrictions on {s} between 8am and 6pm Monday to Saturday, with the loading bays "
                      f"and the residents' permit bays set out in the schedule to the order" for s in streets)
    page = tmp_path / "pages" / "record.txt"
    page.parent.mkdir()
    page.write_text("Decision details\n\nParking Review 2024 – Traffic Regulation Orders\n\nDecision Maker: Cabinet\n\n"
                    "Decision status: Recommendations Approved\n\nDecision:\n\nThe Cabinet approved the following "
                    f"waiting restrictions:\n{items}\n\nDate of decision: 10/01/2024\n", encoding="utf-8")
    build([page.parent], tmp_path / "index", HashEmbedder(384), "hash:384")
    answer = Asker(Searcher(tmp_path / "index", embedder=HashEmbedder(384))).ask(
        "Which waiting restrictions did the Cabinet approve in the 2024 parking review?")
    stated = " ".join(c.text for c in answer.claims)
    assert all(s in stated for s in streets), answer.text
    assert all(c.citations for c in answer.claims)
