"""The uk gold set over shared/corpus-uk (53 real pages of 26 councils): the decisions they print are
recognised with their fields. Skipped, with the reason, where the shared folder is not beside the project."""
from __future__ import annotations

import pytest

from eval.data import gold_dir, load_gold


@pytest.fixture(scope="module")
def corpus():
    from eval.data import corpus_of

    try:
        return corpus_of("uk", None)
    except ValueError as exc:
        pytest.skip(str(exc))


@pytest.fixture(scope="module")
def index_dir(corpus, tmp_path_factory):
    from eval.run import sample_index

    return sample_index(tmp_path_factory.mktemp("uk") / "ix", "hash:384", corpus)


def test_the_uk_gold_set_loads_with_pages_and_quotes():
    gold = load_gold(gold_dir("uk"))
    assert len(gold) >= 45 and sum(q.kind == "out" for q in gold) >= 5
    answerable = [q for q in gold if q.answerable]
    assert all(q.files and q.relevant for q in answerable)
    assert all("#" in r for q in answerable for r in q.relevant)


@pytest.mark.parametrize("name", ["uk", "ukheldout", "ukheldout2", "ukheldout3", "ukheldout4", "ukheldout5"])
def test_every_quote_of_a_page_gold_set_is_printed_on_its_page(name, corpus):
    """The gold sets over corpus-uk judge a cited paragraph by a quote of its page: a quote the page does not hold
    would count every answer wrong."""
    gold = load_gold(gold_dir(name))
    assert gold
    for q in gold:
        for ref in q.relevant:
            page, quote = ref.split("#", 1)
            assert quote in (corpus / page).read_text(encoding="utf-8"), (q.qid, page)


def test_at_least_95_percent_of_printed_decisions_are_recognised(index_dir):
    from eval.decisions import check
    from index.build import current_generation
    from index.decisions import list_decisions
    from index.store import DB_NAME, Store

    with Store(current_generation(index_dir) / DB_NAME, readonly=True) as store:
        result = check(gold_dir("uk") / "decisions.jsonl", list_decisions(store))
    assert result.recognised / result.total >= 0.95, result.missed
    for field in ("title", "decision_maker", "date", "reference"):
        ok, printed = result.fields[field]
        assert ok / printed >= 0.95, (field, result.wrong[field])


def test_each_council_is_filed_under_its_name(index_dir):
    from index.search import Searcher

    searcher = Searcher(index_dir)
    councils = {r[0] for r in searcher.conn.execute("SELECT DISTINCT council FROM documents")}
    assert len(councils) >= 26 and "" not in councils
