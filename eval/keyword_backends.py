"""The keyword engines ``eval.keyword_engines`` compares, each built from the same corpus and searched the same
way: ``build(corpus, dir)``, then ``open_engine(name, dir).search(query, k, subset) -> [(id, score)]``.
Tantivy and bm25s are imported only where used (``pip install tantivy bm25s``); FTS5 is SQLite's."""
from __future__ import annotations

import json
import re
import sqlite3
import zlib
from pathlib import Path

import numpy as np

TOKEN = re.compile(r"[^\W_]+")  # runs of letters and digits: what FTS5's unicode61 and tantivy's tokenizer make
SUBSET = 20  # the filtered search keeps passages with in_subset(id): one in SUBSET


def in_subset(i: int) -> bool:
    return zlib.crc32(str(i).encode()) % SUBSET == 3


def tokens(text: str) -> list[str]:
    return TOKEN.findall(text.lower())


def query_tokens(text: str) -> list[str]:
    from index.keywords import query_terms

    return list(dict.fromkeys(t for term in query_terms(text) for t in tokens(term)))


def read_corpus(path: Path):
    with open(path, encoding="utf-8") as f:
        for line in f:
            yield json.loads(line)


# --- engines: build(corpus, dir), then open(dir) -> search(query, k, subset) -> [(id, score)] ---------------

def build_fts5(path: Path, out: Path) -> None:
    conn = sqlite3.connect(out / "fts.db")
    conn.executescript("""
        CREATE TABLE passages (id INTEGER PRIMARY KEY, heading TEXT NOT NULL, text TEXT NOT NULL,
                               document_id INTEGER NOT NULL DEFAULT 0);
        -- as in index/store.py; the smallest index also serves without_common's count(*), which
        -- would otherwise read every passage's text, on every query
        CREATE INDEX passages_document ON passages(document_id);
        CREATE VIRTUAL TABLE passages_fts USING fts5(
            text, heading, content='passages', content_rowid='id', tokenize='unicode61');
        CREATE TRIGGER passages_ai AFTER INSERT ON passages BEGIN
            INSERT INTO passages_fts(rowid, text, heading) VALUES (new.id, new.text, new.heading);
        END;""")
    batch = []
    for i, (heading, text) in enumerate(read_corpus(path)):
        batch.append((i, heading, text))
        if len(batch) == 10_000:
            conn.executemany("INSERT INTO passages (id, heading, text) VALUES (?, ?, ?)", batch)
            batch = []
    conn.executemany("INSERT INTO passages (id, heading, text) VALUES (?, ?, ?)", batch)
    conn.commit()
    conn.close()


# The FTS5 engine councilqa searched with before Tantivy (index/keywords.py until #15), kept here as the
# comparison's baseline: quoted terms, and words in more than COMMON_SHARE (and COMMON_MIN) of passages dropped.
COMMON_SHARE = 0.05
COMMON_MIN = 2_000


def fts_match(terms: list[str]) -> str:
    return " OR ".join('"' + t.replace('"', '""') + '"' for t in terms)


def document_frequency(conn: sqlite3.Connection, term: str) -> int:
    """Passages containing the term (for a term the tokenizer splits, its rarest token: an upper bound)."""
    conn.execute("CREATE VIRTUAL TABLE IF NOT EXISTS temp.passages_vocab USING fts5vocab(main, passages_fts, row)")
    counts = [
        (conn.execute("SELECT doc FROM temp.passages_vocab WHERE term = ?", [token]).fetchone() or (0,))[0]
        for token in re.findall(r"\w+", term.lower())
    ]
    return min(counts, default=0)


def without_common(conn: sqlite3.Connection, terms: list[str]) -> list[str]:
    if len(terms) < 2:
        return terms
    df = {t: document_frequency(conn, t) for t in terms}
    if max(df.values()) <= COMMON_MIN:
        return terms
    total = conn.execute("SELECT count(*) FROM passages").fetchone()[0]
    limit = max(COMMON_MIN, COMMON_SHARE * total)
    kept = [t for t in terms if df[t] <= limit]
    return kept or [min(terms, key=df.__getitem__)]


class Fts5:
    def __init__(self, out: Path, drop_common: bool) -> None:
        self.drop = drop_common
        self.conn = sqlite3.connect(f"file:{out / 'fts.db'}?mode=ro", uri=True)
        self.conn.execute("CREATE TEMP TABLE allowed (id INTEGER PRIMARY KEY)")

    def set_subset(self, ids: list[int]) -> None:
        self.conn.executemany("INSERT INTO temp.allowed VALUES (?)", [(i,) for i in ids])

    def search(self, query: str, k: int, subset: bool = False) -> list[tuple[int, float]]:
        from index.keywords import query_terms

        terms = query_terms(query)
        if not terms:
            return []
        match = fts_match(without_common(self.conn, terms) if self.drop else terms)
        if not subset:  # what the FTS5 engine ran without filters
            sql = ("SELECT rowid, -bm25(passages_fts, 1.0, 0.3) FROM passages_fts WHERE passages_fts MATCH ?"
                   " ORDER BY bm25(passages_fts, 1.0, 0.3) LIMIT ?")
        else:  # a filter in SQL, before the cut, as the FTS5 engine joined its filters; CROSS JOIN keeps
            # the MATCH as the outer loop (with "rowid IN (...)" SQLite runs the MATCH once per allowed id)
            sql = ("SELECT passages_fts.rowid, -bm25(passages_fts, 1.0, 0.3) FROM passages_fts"
                   " CROSS JOIN temp.allowed a ON a.id = passages_fts.rowid WHERE passages_fts MATCH ?"
                   " ORDER BY bm25(passages_fts, 1.0, 0.3) LIMIT ?")
        return [(int(i), float(s)) for i, s in self.conn.execute(sql, [match, k])]


def build_tantivy(path: Path, out: Path, positions: bool = False) -> None:
    import tantivy

    index = tantivy.Index(_tantivy_schema(positions), path=str(out))
    writer = index.writer(heap_size=512 * 2**20, num_threads=2)
    for i, (heading, text) in enumerate(read_corpus(path)):
        doc = tantivy.Document()
        doc.add_unsigned("id", i)
        doc.add_unsigned("subset", int(in_subset(i)))
        doc.add_text("text", heading + "\n" + text)
        writer.add_document(doc)
    writer.commit()
    writer.wait_merging_threads()


def _tantivy_schema(positions: bool = False):
    import tantivy

    sb = tantivy.SchemaBuilder()
    sb.add_unsigned_field("id", stored=False, indexed=True, fast=True)
    sb.add_unsigned_field("subset", stored=False, indexed=True, fast=True)  # a metadata field to filter on
    sb.add_text_field("text", stored=False, tokenizer_name="default",
                      index_option="position" if positions else "freq")
    return sb.build()


class Tantivy:
    def __init__(self, out: Path, phrases: bool = False) -> None:
        import tantivy

        self.t, self.phrases = tantivy, phrases
        self.index = tantivy.Index.open(str(out))
        self.index.reload()
        self.searcher = self.index.searcher()
        self.schema = self.index.schema
        self.ids: list[int] = []

    def set_subset(self, ids: list[int]) -> None:
        self.ids = ids

    def search(self, query: str, k: int, subset: str = "") -> list[tuple[int, float]]:
        """``subset``: "" none; "field": a ``subset`` field indexed with the passage; "ids": the allowed ids
        passed in as a term set (a filter evaluated elsewhere, in SQLite)."""
        t = self.t
        if self.phrases:
            from index.keywords import query_terms

            parts = [w for w in dict.fromkeys(tuple(tokens(term)) for term in query_terms(query)) if w]
            words = [t.Query.term_query(self.schema, "text", w[0], index_option="freq") if len(w) == 1
                     else t.Query.phrase_query(self.schema, "text", list(w)) for w in parts]
        else:
            words = [t.Query.term_query(self.schema, "text", w, index_option="freq") for w in query_tokens(query)]
        if not words:
            return []
        q = t.Query.boolean_query([(t.Occur.Should, w) for w in words])
        if subset:
            allowed = (t.Query.term_query(self.schema, "subset", 1) if subset == "field"
                       else t.Query.term_set_query(self.schema, "id", self.ids))
            q = t.Query.boolean_query([(t.Occur.Must, q), (t.Occur.Must, t.Query.const_score_query(allowed, 0.0))])
        hits = self.searcher.search(q, limit=k, count=False).hits
        ids = self.searcher.fast_field_values("id", [a for _, a in hits])
        return [(int(i), float(s)) for (s, _), i in zip(hits, ids)]


def build_bm25s(path: Path, out: Path) -> None:
    import bm25s

    texts = [heading + "\n" + text for heading, text in read_corpus(path)]
    corpus_tokens = bm25s.tokenize(texts, lower=True, token_pattern=TOKEN.pattern, stopwords=None,
                                   show_progress=False)
    del texts
    retriever = bm25s.BM25(k1=1.2, b=0.75, method="lucene")
    retriever.index(corpus_tokens, show_progress=False)
    retriever.save(str(out))


class Bm25s:
    def __init__(self, out: Path) -> None:
        import bm25s

        self.r = bm25s.BM25.load(str(out))
        self.mask: np.ndarray | None = None

    def set_subset(self, ids: list[int]) -> None:
        self.mask = np.zeros(self.r.scores["num_docs"], dtype=np.float32)
        self.mask[ids] = 1.0

    def words(self, query: str) -> list[str]:
        return [w for w in query_tokens(query) if w in self.r.vocab_dict]

    def search(self, query: str, k: int, subset: bool = False) -> list[tuple[int, float]]:
        words = self.words(query)
        if not words:
            return []
        mask = self.mask if subset else None
        docs, scores = self.r.retrieve([words], k=k, show_progress=False, n_threads=1, weight_mask=mask)
        return [(int(i), float(s)) for i, s in zip(docs[0], scores[0]) if s > 0]

    def scores(self, query: str) -> np.ndarray:
        words = self.words(query)
        return self.r.get_scores(words) if words else np.zeros(self.r.scores["num_docs"], dtype=np.float32)


BUILD = {"fts5": build_fts5, "tantivy": build_tantivy, "bm25s": build_bm25s,
         "tantivy-phrase": lambda path, out: build_tantivy(path, out, positions=True)}


def open_engine(name: str, out: Path):
    if name in ("fts5", "fts5-all"):
        return Fts5(out, drop_common=name == "fts5")
    if name.startswith("tantivy"):
        return Tantivy(out, phrases=name == "tantivy-phrase")
    return Bm25s(out)


def store_of(name: str) -> str:
    return "fts5" if name.startswith("fts5") else name
