"""A generation's passages with their words, and the words' statistics (``bm25`` reads them).

Each passage carries, beside the store's columns:

    tsv    its tokens with their positions (``'short':3 'breaks':4``), GIN-indexed: which passages hold a word
    ntok   its token count (its length for BM25)
    sv     its BM25 weights as a sparse vector (pgvector ``sparsevec``): for each word id, tf / (tf + k1 (1 - b +
           b len / avglen)), the length quantised as Tantivy does. A query's scores are then one dot product a
           passage (``sv <#> query``) computed in the database; ``avglen`` is the generation's average length when
           the weights were written (``weights_average``), and the weights are written again for every passage once
           the average has moved by more than ``DRIFT`` (the final ranking is exact anyway: ``bm25`` rescores the
           best passages from their positions with the generation's own average).

``terms`` holds each word's document frequency and its id (ids are kept from generation to generation, so a
passage copied from the live generation keeps its weights).
"""
from __future__ import annotations

import json
from collections import Counter

import numpy as np

from index.backends.postgres import bm25, schema
from index.embed import embed_input

DIM = 1_000_000_000  # pgvector's largest sparsevec dimension: room for any vocabulary
DRIFT = 0.01
CHUNK = 50_000


def _tokens(analyzer, row, heading_at: int, text_at: int) -> list[str]:
    return analyzer.tokens(embed_input(row[heading_at], row[text_at]))


def sparse(counts: Counter, ids: dict[str, int], length: int, average: np.float32) -> str:
    """The passage's BM25 weights as a sparsevec literal, in word-id order."""
    norm = bm25.K1 * (np.float32(1) - bm25.B + bm25.B * np.float32(bm25.fieldnorm([length])[0]) / average)
    pairs = sorted((ids[t], np.float32(c) / (np.float32(c) + norm)) for t, c in counts.items())
    return "{" + ",".join(f"{i}:{w:.9g}" for i, w in pairs) + f"}}/{DIM}"


def write(db, conn, gschema: str, passages, live, say) -> dict:
    """Fill the generation's ``passages`` and ``terms``; returns its keyword statistics (passages, tokens,
    weights_average)."""
    analyzer = bm25.Analyzer()
    names = passages.names
    text_at, heading_at = names.index("text"), names.index("heading")
    stats = (live.manifest.get("keywords") or {}) if live is not None else {}
    reuse = live is not None and "weights_average" in stats and \
        _columns(db, live.schema, "passages") == [*names, "tsv", "ntok", "sv"]
    stage_ids = [r[0] for r in conn.execute("SELECT id FROM passages ORDER BY id")]
    cols = ", ".join(schema.quote(c) for c in names)
    if reuse:
        live_ids = {r[0] for r in db.execute(f"SELECT id FROM {live.schema}.passages")}
        gone = sorted(live_ids.difference(stage_ids))
        fresh = [pid for pid in stage_ids if pid not in live_ids]
        gone_tokens = db.execute(f"SELECT coalesce(sum(ntok), 0) FROM {live.schema}.passages WHERE id = ANY(?)",
                                 [gone]).fetchone()[0] if gone else 0
    df: Counter = Counter()
    vocabulary: set[str] = set()  # the words of the passages sent
    lengths = 0
    select = f"SELECT {cols} FROM passages" + ("" if not reuse else " WHERE id IN (SELECT value FROM json_each(?))")
    args = [json.dumps(fresh)] if reuse else []
    for row in conn.execute(select, args):  # first pass: lengths and document frequencies
        tokens = _tokens(analyzer, row, heading_at, text_at)
        lengths += len(tokens)
        words = set(tokens)
        df.update(words)
        vocabulary |= words
    total = (int(stats["tokens"]) - int(gone_tokens) + lengths) if reuse else lengths
    average = np.float32(total) / np.float32(max(1, len(stage_ids)))
    if reuse and abs(float(average) - stats["weights_average"]) > DRIFT * stats["weights_average"]:
        say("keyword weights: the average passage length moved: writing every passage's weights again")
        return write(db, conn, gschema, passages, None, say)
    weights_average = np.float32(stats["weights_average"]) if reuse else average
    if reuse:
        db.execute(f"INSERT INTO {gschema}.passages SELECT * FROM {live.schema}.passages WHERE NOT (id = ANY(?))",
                   [gone])
        db.execute(f"INSERT INTO {gschema}.terms SELECT * FROM {live.schema}.terms")
        if gone:  # the words of the passages that go leave the statistics (ts_stat: document frequencies)
            listed = ",".join(str(int(i)) for i in gone)
            for word, ndoc in db.execute("SELECT word, ndoc FROM ts_stat(?)", [
                    f"SELECT tsv FROM {live.schema}.passages WHERE id = ANY('{{{listed}}}'::bigint[])"]):
                df[word] -= ndoc
    ids = _ids(db, gschema, sorted(vocabulary))
    _merge(db, gschema, df, ids)
    sent = 0
    with db.raw.cursor() as cur, cur.copy(f"COPY {gschema}.passages ({cols}, tsv, ntok, sv) FROM STDIN") as copy:
        for row in conn.execute(select, args):  # second pass: the rows, their words and weights
            tokens = _tokens(analyzer, row, heading_at, text_at)
            copy.write_row((*row, bm25.tsvector(tokens), len(tokens),
                            sparse(Counter(tokens), ids, len(tokens), weights_average)))
            sent += 1
            if sent % 100_000 == 0:
                say(f"passages: {sent:,} sent with their words")
    return {"passages": len(stage_ids), "tokens": int(total), "weights_average": float(weights_average),
            "sent": sent}


def _ids(db, gschema: str, words: list[str]) -> dict[str, int]:
    """Each word's id: the one ``terms`` holds (from the live generation), else a new one after the largest."""
    out: dict[str, int] = {}
    for start in range(0, len(words), CHUNK):
        for term, i in db.execute(f"SELECT term, id FROM {gschema}.terms WHERE term = ANY(?)",
                                  [words[start:start + CHUNK]]):
            out[term] = int(i)
    top = int(db.execute(f"SELECT coalesce(max(id), 0) FROM {gschema}.terms").fetchone()[0])
    for term in sorted(w for w in words if w not in out):
        top += 1
        out[term] = top
    return out


def _merge(db, gschema: str, df: Counter, ids: dict[str, int]) -> None:
    """Add each word's change in document frequency to ``terms`` (a new word with its id); words no passage holds
    any more go."""
    items = [(t, c, ids.get(t, 0)) for t, c in df.items() if c]
    for start in range(0, len(items), CHUNK):
        chunk = items[start:start + CHUNK]
        db.bound(f"INSERT INTO {gschema}.terms (term, df, id) SELECT t, d, i FROM unnest(%s::text[], %s::bigint[],"
                 " %s::integer[]) AS x(t, d, i) ON CONFLICT (term) DO UPDATE SET df = terms.df + excluded.df",
                 ([t for t, _, _ in chunk], [c for _, c, _ in chunk], [i for _, _, i in chunk]))
    db.execute(f"DELETE FROM {gschema}.terms WHERE df <= 0")


def _columns(db, gschema: str, table: str) -> list[str]:
    return [r[0] for r in db.execute("SELECT column_name FROM information_schema.columns WHERE table_schema = ? AND"
                                     " table_name = ? ORDER BY ordinal_position", [gschema, table])]
