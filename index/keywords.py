"""Keyword search: BM25 over a Tantivy index kept in each generation (``keywords/``).

Why Tantivy (measured side by side at 1M passages, eval/README.md "Keyword search at a million passages"):
SQLite FTS5's ``bm25()`` scores every passage any query word matches before it sorts, so its cost follows the
matching set, and the old engine dropped common words to stay near budget, which changed the ranking. Tantivy
ranks by BM25 with block-max WAND pruning, so its cost follows the query and k, and every query word counts.

- **Scoring**: plain BM25 (k1 1.2, b 0.75, Lucene's IDF) over one field: the passage as the embedding model reads
  it, its section's name first where the text does not start with it (``index.embed.embed_input``), so
  "Report Author" finds the paragraph under that heading. Measured against a heading field of its own weighted
  0.3 (as FTS5's columns were) and 0.5/1.0, and against Robertson-Sparck Jones IDF: only this one kept every
  figure of the sample's keyword and hybrid evals at or above the FTS5 baseline (eval/README.md), and plain
  term clauses keep block-max WAND on.
- **Words**: the analyzer splits on anything not a letter or digit, lowercases and folds accents, as FTS5's
  unicode61 did; a query word the analyzer splits ("22/00093", "£0.322m", "D50773") is a phrase, so it
  matches those tokens in that order and nowhere else. Query text is never query syntax.
- **Filters** are evaluated in SQLite (the same ``Filters.sql`` as every other search) into the documents they
  allow, and applied inside the query, before the top-k cut: a filtered search returns k hits whenever k
  passages pass.
- **Incremental**: the store logs each passage written or deleted (``keyword_pending``); a build links the live
  generation's segment files into the new one (Tantivy never rewrites a file in place), deletes and re-adds only
  those passages, and clears the log. A generation without the folder is indexed whole from the store.
"""
from __future__ import annotations

import json
import os
import re
import shutil
import sqlite3
from pathlib import Path

from index.embed import embed_input
from index.sanitise import sanitise
from index.store import rows_in

FOLDER = "keywords"
ANALYZER = "councilqa"
# What the index holds and how its words are made; a live index of another format is rebuilt whole, not updated.
FORMAT = {"format": 1, "text": "embed_input(heading, text)", "analyzer": "simple|remove_long(40)|lowercase|ascii_fold",
          "fields": ["passage", "document", "text"]}
FORMAT_FILE = "councilqa-format.json"
# Deleted passages stay in BM25's word statistics until their segment is merged away (as in Lucene). Once they
# are more than this share of the index, a build indexes every passage afresh, so scores stay near exact.
REBUILD_SHARE = 0.1
WRITER_HEAP = 256 * 2**20
_STOP = frozenset(
    "a an and are as at be by for from has have how in is it of on or that the this to was were what when "
    "which who will with does did do much many".split()
)
_LOCKS = (".tantivy-writer.lock", ".tantivy-meta.lock")


def _tantivy():
    try:
        import tantivy
    except ImportError:  # pragma: no cover - a dependency in pyproject.toml
        raise RuntimeError("keyword search needs the tantivy package: pip install 'tantivy>=0.27'") from None
    return tantivy


def query_terms(text: str) -> list[str]:
    """The query's words, each once, without stop words and punctuation around them."""
    terms = []
    for raw in sanitise(text).split():
        term = raw.strip(".,;:!?()[]{}'\"‘’“”")
        if not term or term.lower() in _STOP or not re.search(r"\w", term):
            continue
        terms.append(term)
    return list(dict.fromkeys(terms))


def _analyzer():
    t = _tantivy()
    return (t.TextAnalyzerBuilder(t.Tokenizer.simple()).filter(t.Filter.remove_long(40))
            .filter(t.Filter.lowercase()).filter(t.Filter.ascii_fold()).build())


def _schema():
    t = _tantivy()
    sb = t.SchemaBuilder()
    sb.add_unsigned_field("passage", stored=False, indexed=True, fast=True)
    sb.add_unsigned_field("document", stored=False, indexed=True, fast=True)
    sb.add_text_field("text", stored=False, tokenizer_name=ANALYZER, index_option="position")
    return sb.build()


def _open(folder: Path, create: bool = False):
    t = _tantivy()
    index = t.Index(_schema(), path=str(folder), reuse=True) if create else t.Index.open(str(folder))
    index.register_tokenizer(ANALYZER, _analyzer())
    return index


def present(generation: Path) -> bool:
    """The generation holds a keyword index of this version's format."""
    try:
        return json.loads((generation / FOLDER / FORMAT_FILE).read_text(encoding="utf-8")) == FORMAT
    except (OSError, ValueError):
        return False


def files(generation: Path) -> list[str]:
    """The keyword index's files, relative to the generation (for its manifest)."""
    folder = generation / FOLDER
    return sorted(f"{FOLDER}/{p.name}" for p in folder.iterdir() if p.is_file() and p.name not in _LOCKS)


def write(conn: sqlite3.Connection, live: Path | None, generation: Path, say=lambda _m: None) -> int:
    """Bring ``generation``'s keyword index up to date with its store (``conn``, writable): from the live
    generation's index and the store's log of changed passages, or, without one, from every passage.
    Returns how many passages were (re)indexed."""
    folder = generation / FOLDER
    shutil.rmtree(folder, ignore_errors=True)
    folder.mkdir()
    incremental = live is not None and present(live)
    if incremental:
        for name in files(live):  # hard links: a new generation shares unchanged segments with the live one
            if name.endswith(FORMAT_FILE):
                continue
            src, dst = live / name, generation / name
            try:
                os.link(src, dst)
            except OSError:
                shutil.copy2(src, dst)
    index = _open(folder, create=True)
    # One indexing thread: documents keep the order they are added in (passage id), so passages of equal score
    # rank the same in every build of the same passages; two threads saved 0.4 s of 10 s at a million passages.
    writer = index.writer(heap_size=WRITER_HEAP, num_threads=1)
    t = _tantivy()
    if incremental:
        touched = [r[0] for r in conn.execute("SELECT DISTINCT passage_id FROM keyword_pending")]
        for start in range(0, len(touched), 10_000):  # before the adds: a delete removes what was added before it
            # (by query: tantivy-py's delete_documents_by_term makes a signed term, which matches no u64 field)
            writer.delete_documents_by_query(t.Query.term_set_query(index.schema, "passage", touched[start:start + 10_000]))
        rows = rows_in(conn, "SELECT id, document_id, heading, text FROM passages WHERE id IN ({marks})", touched)
    else:
        touched = None
        rows = conn.execute("SELECT id, document_id, heading, text FROM passages ORDER BY id")
    count = 0
    for pid, doc_id, heading, text in rows:
        doc = t.Document()
        doc.add_unsigned("passage", pid)
        doc.add_unsigned("document", doc_id)
        doc.add_text("text", embed_input(heading, text))
        writer.add_document(doc)
        count += 1
        if count % 100_000 == 0:
            say(f"keyword index: {count:,} passages")
    writer.commit()
    writer.wait_merging_threads()
    if incremental and deleted_share(folder) > REBUILD_SHARE:
        del writer, index
        say("keyword index: many passages replaced since it was built: indexing every passage afresh")
        return write(conn, None, generation, say)
    if incremental and touched:
        writer = index.writer(heap_size=15_000_000, num_threads=1)
        writer.garbage_collect_files()  # files of merged-away segments, linked from the live generation
        writer.wait_merging_threads()
    for name in _LOCKS:  # empty files Tantivy locks (a reader too): made now, so opening a live generation adds none
        (folder / name).touch()
    (folder / FORMAT_FILE).write_text(json.dumps(FORMAT, sort_keys=True), encoding="utf-8")
    with conn:
        conn.execute("DELETE FROM keyword_pending")
    return count


def deleted_share(folder: Path) -> float:
    """The share of the index's documents that are deleted but still counted in its statistics."""
    segments = json.loads((folder / "meta.json").read_text(encoding="utf-8"))["segments"]
    total = sum(seg["max_doc"] for seg in segments)
    deleted = sum((seg.get("deletes") or {}).get("num_deleted_docs", 0) for seg in segments)
    return deleted / total if total else 0.0


class KeywordIndex:
    """One generation's keyword index, opened read-only for searching."""

    def __init__(self, generation: Path) -> None:
        self.t = _tantivy()
        self.index = _open(generation / FOLDER)
        self.analyzer = _analyzer()
        self.searcher = self.index.searcher()
        self.schema = self.index.schema

    def _word(self, tokens: list[str]):
        t = self.t
        if len(tokens) == 1:
            return t.Query.term_query(self.schema, "text", tokens[0], index_option="freq")
        return t.Query.phrase_query(self.schema, "text", tokens)

    def query(self, text: str):
        """BM25 for each word of ``text`` (a word the analyzer splits as a phrase); None: no words."""
        t = self.t
        words = [w for w in dict.fromkeys(tuple(self.analyzer.analyze(term)) for term in query_terms(text)) if w]
        if not words:
            return None
        return t.Query.boolean_query([(t.Occur.Should, self._word(list(w))) for w in words])

    def search(self, text: str, k: int, documents: list[int] | None = None) -> list[tuple[int, float]]:
        """Top-k (passage id, BM25 score) for ``text``; ``documents``: only passages of these documents."""
        t = self.t
        q = self.query(text)
        if q is None or k <= 0 or documents == []:
            return []
        if documents is not None:
            allowed = t.Query.const_score_query(t.Query.term_set_query(self.schema, "document", documents), 0.0)
            q = t.Query.boolean_query([(t.Occur.Must, q), (t.Occur.Must, allowed)])
        hits = self.searcher.search(q, limit=k, count=False).hits
        ids = self.searcher.fast_field_values("passage", [address for _, address in hits])
        # Equal scores come back in segment order, which an incremental build changes: break ties by passage id.
        return sorted(((int(i), float(score)) for (score, _), i in zip(hits, ids)), key=lambda h: (-h[1], h[0]))

    def num_docs(self) -> int:
        return self.searcher.num_docs
