"""Keyword search in PostgreSQL: its full-text index finds the passages, BM25 ranks them as Tantivy does.

Why this and not ``ts_rank``: chosen by how close each comes to the embedded index's Tantivy ranking on the gold
sets (eval/README.md, "PostgreSQL backend": overlap@10 with Tantivy's keyword top 10 and the eval table of each).
``ts_rank``/``ts_rank_cd`` weigh a word by how often and how close together it occurs, with no inverse document
frequency: a common word counts as much as a rare one, so their top 10 shares far less with Tantivy's than this.

- **Words** are Tantivy's own: the embedded index's analyzer (``index.keywords``: split on anything not a letter
  or digit, remove_long(40), lowercase, ascii_fold) cuts each passage's text as the embedding model reads it
  (``embed_input``), and the tokens are stored as a ``tsvector`` with their positions (``'short':3 'breaks':4``),
  never re-parsed by a text search configuration. A query word the analyzer splits ("22/00093") is a phrase
  (``'22' <-> '00093'``), as in Tantivy.
- **Statistics** per generation: each word's document frequency (``terms``), the passage count and the total of
  their token counts (``meta``); a passage's length quantised to one byte as Tantivy and Lucene store it
  (``fieldnorm``).
- **Scoring** is Tantivy's BM25, in float32: idf ln(1 + (N - n + 0.5) / (n + 0.5)) (a phrase: the sum of its
  words'), k1 1.2, b 0.75. The GIN index over the ``tsvector`` lists the passages a word occurs in; their
  positions are read back and scored here.
- **Pruning** (MaxScore, Turtle and Flood 1995): a word adds at most idf x (k1 + 1) to a passage's score. The
  rarest words' passages are scored first, in full; once the k-th best score exceeds what the words not yet read
  could add together, no passage that holds only those words can enter the top k, and their (long) lists are
  never read. The result is exact: the same top k as scoring every passage.
- **Filters** restrict each candidate list to the allowed documents, inside the query, before the cut.
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np

K1 = np.float32(1.2)
B = np.float32(0.75)
MAX_POSITIONS = 256  # PostgreSQL keeps at most 256 positions of one word in a tsvector; a tf beyond is counted 256
MAX_POSITION = 16383  # and no position above this
FIRST_BUDGET = 25_000  # passages the first round reads: words are taken rarest first while their lists fit in it


def _fieldnorm_table() -> np.ndarray:
    """Lucene's and Tantivy's one-byte length scale: 0..23 exact, then 3 bits of mantissa on a doubling scale."""
    out = []
    for b in range(256):
        if b < 24:
            out.append(b)
            continue
        e = b - 24
        bits, shift = e & 0b111, e >> 3
        out.append(24 + (bits if shift == 0 else (bits | 8) << (shift - 1)))
    return np.array(out, dtype=np.int64)


FIELDNORMS = _fieldnorm_table()


def fieldnorm(lengths: np.ndarray) -> np.ndarray:
    """Each length as the one-byte scale stores it: the largest value of the scale not above it."""
    return FIELDNORMS[np.searchsorted(FIELDNORMS, np.asarray(lengths, dtype=np.int64), side="right") - 1]


class Analyzer:
    """Tantivy's analyzer of the embedded keyword index: the same tokens on both backends."""

    def __init__(self) -> None:
        from index.keywords import _analyzer

        self._a = _analyzer()

    def tokens(self, text: str) -> list[str]:
        return list(self._a.analyze(text))

    def words(self, query: str) -> list[tuple[str, ...]]:
        """The query's words as ``index.keywords.KeywordIndex.query`` makes them: each a token or a phrase."""
        from index.keywords import query_terms

        return [w for w in dict.fromkeys(tuple(self.tokens(t)) for t in query_terms(query)) if w]


def lexeme(token: str) -> str:
    return "'" + token.replace("\\", "\\\\").replace("'", "''") + "'"


def tsvector(tokens: list[str]) -> str:
    """The tokens as a tsvector literal with their positions (1-based), for ``::tsvector``."""
    positions: dict[str, list[int]] = {}
    for i, tok in enumerate(tokens, start=1):
        ps = positions.setdefault(tok, [])
        if len(ps) < MAX_POSITIONS:
            ps.append(min(i, MAX_POSITION))
    return " ".join(f"{lexeme(t)}:{','.join(map(str, dict.fromkeys(ps)))}" for t, ps in positions.items())


def tsquery(words: list[tuple[str, ...]]) -> str:
    """Passages holding any of the words (a phrase's tokens adjacent), as a tsquery literal."""
    return " | ".join("(" + " <-> ".join(lexeme(t) for t in w) + ")" for w in words)


def idf(df: np.ndarray | int, n: int) -> np.ndarray:
    df = np.asarray(df, dtype=np.float32)
    x = (np.float32(n) - df + np.float32(0.5)) / (df + np.float32(0.5))
    return np.log(np.float32(1) + x).astype(np.float32)


@dataclass(frozen=True)
class Stats:
    passages: int
    tokens: int  # the sum of every passage's token count

    @property
    def average(self) -> np.float32:
        return np.float32(self.tokens) / np.float32(max(1, self.passages))


def phrase_count(positions: list[list[int]]) -> int:
    """How many times the tokens occur one after another (a phrase's term frequency)."""
    if any(not ps for ps in positions):
        return 0
    later = [set(ps) for ps in positions[1:]]
    return sum(all(p + j + 1 in later[j] for j in range(len(later))) for p in positions[0])


def terms(conn, tokens: list[str]) -> tuple[dict[str, int], dict[str, int]]:
    """Each token's document frequency (0 for none) and word id, read once a generation (its ``terms`` never
    change): kept on the connection object, which stands for one generation."""
    known = getattr(conn, "_terms", None)
    if known is None:
        known = conn._terms = {}
    missing = [t for t in tokens if t not in known]
    if missing:
        found = {term: (int(count), int(i)) for term, count, i in conn.execute(
            "SELECT term, df, id FROM terms WHERE term = ANY(?)", [missing])}
        if len(known) > 200_000:
            known.clear()
        for t in missing:
            known[t] = found.get(t, (0, 0))
    df = {t: known[t][0] for t in tokens}
    return df, {t: known[t][1] for t in tokens if known[t][0]}


def search(conn, analyzer: Analyzer, stats: Stats, text: str, k: int,
           documents: list[int] | None = None) -> list[tuple[int, float]]:
    """Top-k (passage id, BM25 score) of the generation ``conn`` reads; ``documents``: only passages of these
    documents. Ties go to the smaller passage id.

    Candidates are ranked in the database by the dot product of their stored weights with the query's (``words``:
    exact but for a drift of the average length since the weights were written), rarest words first, until the
    words left could not lift a passage into the best ``k`` (MaxScore); the best of them, and every passage holding
    a phrase word, are then scored exactly from their positions, as Tantivy scores them."""
    from index.backends.postgres.words import DIM

    words = analyzer.words(text)
    if not words or k <= 0 or documents == [] or stats.passages == 0:
        return []
    tokens = sorted({t for w in words for t in w})
    df, ids = terms(conn, tokens)
    token_idf = dict(zip(tokens, idf(np.array([df[t] for t in tokens]), stats.passages)))
    weights = [np.float32(sum(token_idf[t] for t in w)) * (np.float32(1) + K1) for w in words]  # idf x (1 + k1)
    live = [i for i in range(len(words)) if all(df[t] for t in words[i])]  # a word no passage holds adds nothing
    if not live:
        return []
    singles = sorted((i for i in live if len(words[i]) == 1), key=lambda i: (df[words[i][0]], i))  # rarest first
    phrases = [i for i in live if len(words[i]) > 1]
    if sum(df[words[i][0]] if len(words[i]) == 1 else min(df[t] for t in words[i]) for i in live) <= SMALL:
        # few passages hold any of the words: every one of them is scored exactly, in one query
        where, args = "p.tsv @@ ?::tsquery", [tsquery([words[i] for i in live])]
        if documents is not None:
            where, args = where + " AND p.document_id = ANY(?)", [*args, documents]
        exact = _exact(conn, words, weights, stats, tokens, where, args)
        LAST.update(pruned=False, candidates=len(exact))
        return [(pid, float(s)) for pid, s in sorted(exact.items(), key=lambda kv: (-kv[1], kv[0]))[:k]]
    query = "{" + ",".join(f"{ids[words[i][0]]}:{weights[i]:.9g}" for i in sorted(
        singles, key=lambda i: ids[words[i][0]])) + f"}}/{DIM}"
    keep = 2 * k + 20  # the best this many by the database's ranking are scored exactly
    limit = candidate_budget(stats.passages)
    scope = "" if documents is None else " AND p.document_id = ANY(?)"
    scope_args = [] if documents is None else [documents]
    approx: dict[int, float] = {}
    exact_too: set[int] = set()
    if phrases:  # a phrase's weight is not in the stored vectors: every passage holding one is scored exactly
        for pid, s in conn.execute(f"SELECT p.id, -(p.sv <#> ?::sparsevec) FROM passages p WHERE p.tsv @@ ?::tsquery"
                                   f"{scope} LIMIT ?", [query, tsquery([words[i] for i in phrases]), *scope_args,
                                                        MAX_PHRASE_PASSAGES]):
            approx[pid] = float(s)
            exact_too.add(pid)
    read: list[tuple[str, ...]] = []
    position = spent = 0
    pruned = False
    while position < len(singles):
        batch, budget = [singles[position]], df[words[singles[position]][0]]
        position += 1
        while not read and position < len(singles) and \
                budget + df[words[singles[position]][0]] <= min(FIRST_BUDGET, limit // 2):
            budget += df[words[singles[position]][0]]  # the first round takes the rare words together
            batch.append(singles[position])
            position += 1
        # a passage read in an earlier round may come again (no NOT: it would read every candidate's word list):
        # each round's best ``keep`` together still hold the best ``keep`` of all the passages read
        for pid, s in conn.execute(f"SELECT p.id, -(p.sv <#> ?::sparsevec) AS s FROM passages p WHERE"
                                   f" p.tsv @@ ?::tsquery{scope} ORDER BY s DESC, p.id LIMIT ?",
                                   [query, tsquery([words[i] for i in batch]), *scope_args, keep]):
            approx[pid] = float(s)
        read += [words[i] for i in batch]
        spent += budget
        rest = sum(float(weights[i]) for i in singles[position:])
        if len(approx) >= k and position < len(singles):
            kth = sorted(approx.values(), reverse=True)[k - 1]
            if rest < kth * (1 - 2 * DRIFT):  # the stored weights may be off by the drift: a margin for it
                break
        if position < len(singles) and spent + df[words[singles[position]][0]] > limit:
            # the next word's list would take the query past its budget: the words left still count in every
            # candidate's score, but find no passage of their own (the one approximation; eval/README.md)
            pruned = True
            break
    pool = sorted(approx, key=lambda i: (-approx[i], i))[:keep]
    exact = _exact(conn, words, weights, stats, tokens, "p.id = ANY(?)", [sorted(set(pool) | exact_too)])
    ranked = sorted(exact.items(), key=lambda kv: (-kv[1], kv[0]))[:k]
    LAST.update(pruned=pruned, candidates=spent)
    return [(pid, float(s)) for pid, s in ranked]


SMALL = 5_000  # passages holding any of the query's words, at most, to score every one exactly in one query
LAST: dict = {}  # the last search's candidates read and whether the budget cut it short (measurement only)
MAX_CANDIDATES = 50_000  # passages one query may read from the word lists, whatever their length (eval/README.md)
MIN_CANDIDATES = 20_000  # ... and at least, where a fifth of the generation is fewer


def candidate_budget(passages: int) -> int:
    """Passages one query may read from the word lists: a fifth of the generation, within 20,000 to 50,000. At
    100,000 passages 20,000 candidates give the same top 50 as 50,000 at a fifth of the time (20 against 91 ms
    p50); at a million, 50,000 keep the search under 100 ms (eval/README.md, "The PostgreSQL backend")."""
    return min(MAX_CANDIDATES, max(MIN_CANDIDATES, passages // 5))
DRIFT = 0.01  # as ``words.DRIFT``: how far the stored weights' average length may be from the generation's
MAX_PHRASE_PASSAGES = 20_000


def _exact(conn, words, weights, stats: Stats, tokens: list[str], where: str, args: list) -> dict[int, np.float32]:
    """Tantivy's BM25 of the passages ``where`` selects over every word, from their positions (float32, the
    generation's own average length)."""
    if args and args[0] == []:
        return {}
    rows = conn.execute(
        "SELECT p.id, p.ntok, u.lexeme, u.positions FROM passages p CROSS JOIN LATERAL unnest(p.tsv) AS u"
        f" WHERE {where} AND u.lexeme = ANY(?)", [*args, tokens]).fetchall()
    found: dict[int, dict[str, list[int]]] = {}
    lengths: dict[int, int] = {}
    for pid, ntok, lexeme, positions in rows:
        found.setdefault(pid, {})[lexeme] = positions
        lengths[pid] = ntok
    order = list(found)
    if not order:
        return {}
    norms = fieldnorm(np.array([lengths[i] for i in order]))
    cache = K1 * (np.float32(1) - B + B * norms.astype(np.float32) / stats.average)  # Tantivy's per-length norm
    total = np.zeros(len(order), dtype=np.float32)
    for w, weight in zip(words, weights):
        if len(w) == 1:
            tf = np.array([len(found[i].get(w[0], ())) for i in order], dtype=np.float32)
        else:
            tf = np.array([phrase_count([found[i].get(t, []) for t in w]) for i in order], dtype=np.float32)
        with np.errstate(invalid="ignore", divide="ignore"):
            part = weight * (tf / (tf + cache))
        total += np.where(tf > 0, part, np.float32(0)).astype(np.float32)
    return {pid: s for pid, s in zip(order, total) if s > 0}
