"""Hybrid search over one index generation: FAISS (dense) + Tantivy (BM25, ``index.keywords``), fused by reciprocal
rank."""
from __future__ import annotations

import re
import sqlite3
import time
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from index import manifest as mf
from index import sentence_vectors as sv
from index import vectors
from index.build import REMOVED, VECTORS, current_generation
from index.embed import Embedder, load_embedder
from index.errors import BadRequest, IndexNotFound, IndexOutdated, ModelMismatch
from index.filters import Filters
from index.fuse import reciprocal_rank_fusion
from index import keywords
from index.querycache import QueryVectors
from index.reading import StoreReading
from index.requests import MODES
from index.sanitise import sanitise
from index.thesaurus import expanded
from index.store import DB_NAME, Store, check_schema, content_hash, rows_in

SPREAD = 10  # with ``distinct``, each run reads this many times deeper, so that copies do not crowd out the rest
STAGES = ("filters", "embed", "dense", "keyword", "fuse", "hits")  # ``Searcher.search(timings=...)``, in order


class _Laps:
    """Seconds spent in each stage of one search, added into ``out`` (nothing is timed when ``out`` is None)."""

    def __init__(self, out: dict | None) -> None:
        self.out = out
        if out is not None:
            out.update({stage: 0.0 for stage in STAGES})
            self.last = time.perf_counter()

    def __call__(self, stage: str) -> None:
        if self.out is not None:
            now = time.perf_counter()
            self.out[stage] += now - self.last
            self.last = now


@dataclass(frozen=True)
class Hit:
    passage_id: int
    decision: str
    paragraph: str
    document: str
    score: float
    text: str
    heading: str
    start: int
    end: int
    title: str
    status: str
    doc_type: str
    url: str = ""  # the page or document on the council's site it was fetched from ("" for a local file)

    @property
    def citation(self) -> str:
        return citation_label(self.decision, self.paragraph)

    def to_dict(self) -> dict:
        """The machine-readable form (``search --json``, ``GET /api/search``): where it is, what it says, and how
        to cite it and reach its page on the council's site."""
        return {"decision": self.decision, "paragraph": self.paragraph, "document": self.document, "score": self.score,
                "text": self.text, "citation": self.citation, "title": self.title, "url": self.url}


def ref_key(reference: str) -> str:
    """A reference as compared: case, spacing, brackets and "ref" aside ("OKD55 (20/21)" = "okd55 20/21")."""
    text = reference.lower().strip()
    text = re.sub(r"^(?:ref(?:erence)?(?:\s*(?:no|number))?\.?\s*:?\s*)", "", text)
    return re.sub(r"[\s()\[\].:-]+", "", text)


def candidate_references(text: str) -> list[str]:
    """Strings in ``text`` that may be a decision's reference: each match of a known scheme, and "ref N"."""
    from ingest.layouts import reference_schemes

    schemes, list_ref = reference_schemes()
    out = [m.group(0) for scheme in schemes for m in scheme.pattern.finditer(text)]
    out += [m.group(1) for m in list_ref.finditer(text)]
    out += re.findall(r"\b[a-z0-9-]+:[\w:-]+", text)  # an id such as "eastmarsh:101"
    return list(dict.fromkeys(out))


def citation_label(decision: str, paragraph: str) -> str:
    """``[22/00034 ¶4.2]`` where the document numbers its paragraphs, else ``[22/00093 Financial Implications ¶2]``."""
    if decision and paragraph.startswith(decision + " "):  # "Exe/19/03 Capital Programme Update ¶1" under Exe/19/03
        paragraph = paragraph[len(decision) + 1:]
    if paragraph[:1].isdigit():
        return f"[{decision} ¶{paragraph}]"
    return f"[{decision} {paragraph}]"


class Searcher(StoreReading):
    """Loads the live generation once (checksums and model verified) and answers searches."""

    def __init__(self, index_dir: Path, embedder: Embedder | None = None, model: str | None = None) -> None:
        gen = current_generation(index_dir)
        if gen is None or not gen.exists():
            raise IndexNotFound(str(index_dir))
        self.generation = gen
        self.manifest = mf.read_and_verify(gen)
        self._take_embedder(embedder, model)
        self.vectors = vectors.load(gen / VECTORS)
        if self.vectors.d != self.manifest["dimension"]:
            raise ModelMismatch(self.manifest["model"], f"a {self.vectors.d}-d vector file")
        # removed passages' vectors a grown graph still holds (index.build): never returned
        self.removed = np.load(gen / REMOVED, allow_pickle=False) if REMOVED in self.manifest["files"] else None
        self.conn = sqlite3.connect(f"file:{gen / DB_NAME}?mode=ro", uri=True, check_same_thread=False)
        self.conn.row_factory = sqlite3.Row
        check_schema(self.conn, str(index_dir))
        if not keywords.present(gen) or not any(f.startswith(keywords.FOLDER + "/") for f in self.manifest["files"]):
            raise IndexOutdated(str(index_dir))  # from before the keyword index: the next ingest builds it
        self.keywords = keywords.KeywordIndex(gen)
        self._sentences: sv.SentenceVectors | None = None

    def _take_embedder(self, embedder: Embedder | None, model: str | None) -> None:
        """The embedder of queries: the one given, else ``model``, else the one the index was built with; one of
        another model is refused (every backend's searcher, once its manifest is read)."""
        if embedder is None:
            embedder = load_embedder(model or self.manifest.get("model_spec") or None)
        self.embedder = embedder
        self.query_vectors = QueryVectors(embedder)
        if embedder.model_id != self.manifest["model"]:
            raise ModelMismatch(self.manifest["model"], embedder.model_id)

    def close(self) -> None:
        self.conn.close()

    def vectors_of(self, ids: list[int]):
        """The stored (normalised) vectors of these passages, one row each, in order."""
        if not ids:
            return np.zeros((0, self.vectors.d), dtype=np.float32)
        return np.vstack([self.vectors.reconstruct(int(i)) for i in ids]).astype(np.float32)

    def sentence_vectors(self, texts: list[str]) -> np.ndarray:
        """The vectors of these sentences (``index.sentences``), one row each, in order: stored at ingest
        (``index.sentence_vectors``), or embedded now for a sentence the generation does not hold."""
        if self._sentences is None and sv.KEYS in self.manifest.get("files", {}):  # checksummed when opened
            self._sentences = sv.SentenceVectors(self.generation, self.manifest["dimension"])
        if self._sentences is None:
            return self.query_vectors.embed(texts, query=False)
        vecs, found = self._sentences.lookup(texts)
        if not found.all():
            missing = [i for i, ok in enumerate(found) if not ok]
            vecs[missing] = self.query_vectors.embed([texts[i] for i in missing], query=False)
        return vecs

    def decision_vectors(self):
        """The generation's decision vectors (``index.decision_vectors``), loaded once; a generation built before
        them is refused with what to do."""
        if getattr(self, "_decisions", None) is None:
            from index import decision_vectors as dv

            if dv.VECTORS not in self.manifest.get("files", {}):  # checksummed when the searcher opened
                raise IndexOutdated(str(self.generation.parent))
            self._decisions = dv.DecisionVectors(self.generation, self.manifest["model"], self.manifest["dimension"])
        return self._decisions

    def document_frequency(self, term: str, prefix: bool = False) -> int:
        """How many passages contain ``term`` (as the keyword index tokenises it; ``prefix``: as a word start)."""
        term = term.strip().replace('"', "")
        if not term or not any(ch.isalnum() for ch in term):
            return 0
        match = f'"{term}"' + ("*" if prefix else "")
        return self.conn.execute("SELECT count(*) FROM passages_fts WHERE passages_fts MATCH ?", [match]).fetchone()[0]

    def decision_texts(self, numbers: list[str]) -> dict[str, list[str]]:
        """Each decision's documents, title and text: what the decision says as a whole."""
        out: dict[str, list[str]] = {n: [] for n in numbers}
        if numbers:
            for number, title, text in self.conn.execute(
                    f"SELECT number, title, text FROM documents WHERE number IN ({','.join('?' * len(numbers))})",
                    numbers):
                out[number].append(f"{title}\n{text}")
        return out

    def paragraph(self, decision: str, label: str, document: str = "") -> dict | None:
        """The cited paragraph in its document: the document's text, the paragraph's span, and its metadata."""
        row = self.conn.execute(
            "SELECT d.path, d.text, d.title, d.decision_maker, d.status, d.doc_type, d.dates, d.url, min(p.start) AS s,"
            " max(p.end) AS e FROM passages p JOIN documents d ON d.id = p.document_id"
            " WHERE d.number = ? AND p.label = ? AND (? = '' OR d.path = ?) GROUP BY d.id ORDER BY d.path LIMIT 1",
            [decision, label, document, document],
        ).fetchone()
        if row is None:
            return None
        return {"decision": decision, "paragraph": label, "document": row["path"], "text": row["text"],
                "start": row["s"], "end": row["e"], "title": row["title"], "decision_maker": row["decision_maker"],
                "status": row["status"], "doc_type": row["doc_type"], "dates": row["dates"], "source": row["url"]}

    def councils(self) -> list[str]:
        """The councils the index holds decisions of."""
        if getattr(self, "_councils", None) is None:
            self._councils = [r[0] for r in self.conn.execute(
                "SELECT DISTINCT council FROM documents WHERE council != '' ORDER BY council")]
        return self._councils

    def references(self) -> dict[str, set[str]]:
        """Each decision's id and printed reference, normalised (``ref_key``) -> the ids that carry it."""
        if getattr(self, "_references", None) is None:
            out: dict[str, set[str]] = {}
            for number, reference in self.conn.execute(
                    "SELECT DISTINCT number, reference FROM documents WHERE number != ''"):
                for key in {ref_key(number), ref_key(reference)} - {""}:
                    out.setdefault(key, set()).add(number)
            self._references = out
        return self._references

    def named(self, text: str, whole: bool = False) -> list[str]:
        """The decisions ``text`` names by id or reference: the whole of it (``whole``: a reference typed as a
        query, "D50773"), or references in a known scheme inside it ("What was decided in OKD55 (20/21)?")."""
        refs = self.references()
        if whole:
            return sorted(refs.get(ref_key(text), ()))
        found: list[str] = []
        for candidate in candidate_references(text):
            for number in sorted(refs.get(ref_key(candidate), ())):
                if number not in found:
                    found.append(number)
        return found

    def decision_passages(self, numbers: list[str], k: int, filters: Filters = Filters()) -> list[int]:
        """The first ``k`` passages of these decisions, the most authoritative document's first."""
        if not numbers:
            return []
        where, args = filters.sql(self.councils()) if not filters.is_empty() else ("1 = 1", [])
        rows = self.conn.execute(
            "SELECT p.id FROM passages p JOIN documents d ON d.id = p.document_id"
            f" WHERE d.number IN ({','.join('?' * len(numbers))}) AND {where}"
            " ORDER BY CASE d.doc_type WHEN 'record' THEN 0 WHEN 'decision page' THEN 1 WHEN 'proposed record' THEN 2"
            " ELSE 3 END, d.path, p.start LIMIT ?", [*numbers, *args, k]).fetchall()
        return [r[0] for r in rows]

    def passage_count(self) -> int:
        return self.conn.execute("SELECT count(*) FROM passages").fetchone()[0]

    # What a store must provide beside its SQL (``index.backends``: the PostgreSQL searcher overrides these).

    def size(self) -> int:
        """Vectors the dense run searches among (no run reads more)."""
        return self.vectors.ntotal

    def dense_allowed(self, documents: list[int] | None):
        """What ``dense`` is restricted to, from the documents the filters allow: here their passages' ids."""
        return self.allowed_ids(documents)

    def dense(self, qvec: np.ndarray, k: int, allowed) -> list[tuple[int, float]]:
        """Top-k (passage id, inner product) of the query vector among ``allowed`` (None: every passage)."""
        return vectors.search(self.vectors, qvec, k, allowed, self.removed)

    def keyword(self, text: str, k: int, documents: list[int] | None) -> list[tuple[int, float]]:
        """Top-k (passage id, BM25) for ``text`` among the passages of ``documents`` (None: every passage)."""
        return self.keywords.search(text, k, documents)

    def store(self):
        """The generation's store, read-only (``index.store.Store``: decisions, amounts, mentions); close it."""
        return Store(self.generation / DB_NAME, readonly=True)

    def allowed_documents(self, filters: Filters) -> list[int] | None:
        """The documents the filters allow (None: every one). The filters test documents only, so this reads the
        documents table (tens of thousands of rows at a million passages), never the passages."""
        if filters.is_empty():
            return None
        where, args = filters.sql(self.councils())
        allowed = [r[0] for r in self.conn.execute(f"SELECT d.id FROM documents d WHERE {where}", args)]
        if getattr(self, "_document_count", None) is None:
            self._document_count = self.conn.execute("SELECT count(*) FROM documents").fetchone()[0]
        # a filter every document passes (the one council of an index) costs the searches nothing to skip
        return None if len(allowed) == self._document_count else allowed

    def allowed_ids(self, documents: list[int] | None) -> list[int] | None:
        """The passages of these documents (None: every passage), for FAISS to search among."""
        if documents is None:
            return None
        return [r[0] for r in rows_in(self.conn, "SELECT id FROM passages WHERE document_id IN ({marks})", documents)]

    def search(self, query: str, k: int = 10, filters: Filters = Filters(), mode: str = "hybrid",
               rrf_k: int = 60, depth: int = 50, expand: bool = True, distinct: bool = False,
               timings: dict | None = None) -> list[Hit]:
        """Top-k passages. ``expand``: both queries also carry the documents' words for the question's
        plain-English phrases (``index.thesaurus``): "respite" is searched as "respite short breaks".
        ``distinct``: one passage for each distinct text. A council repeats boilerplate paragraphs word for word
        across hundreds of decisions; without this, their copies fill the top-k and push out everything else
        (``copies`` finds the other places a text occurs). ``timings``: a dict filled with the seconds spent in each
        of ``STAGES`` (the passages the filters allow, query embedding, dense and keyword runs, fusion with the
        reference lookup, loading the passages shown); the keyword run applies the filters inside its query, before its
        cut."""
        lap = _Laps(timings)
        if mode not in MODES:
            raise BadRequest(f"mode must be one of {', '.join(MODES)}")
        if k < 1:
            raise BadRequest(f"k must be 1 or more (got {k})")
        # Whatever a caller asks for, no run reads more than the index holds: k=10**9 costs what k=ntotal does.
        query = sanitise(query)
        if not query:
            return []
        size = self.size()
        k = min(k, max(1, size))
        depth = min(max(depth, k), max(1, size))
        read = min(depth * SPREAD, size) if distinct else depth
        runs: list[list[int]] = []
        scores: dict[int, float] = {}
        documents = self.allowed_documents(filters)
        lap("filters")
        if mode in ("hybrid", "dense"):
            allowed = self.dense_allowed(documents)
            lap("filters")
            qvec = self.query_vectors.embed([expanded(query) if expand else query])[0]
            lap("embed")
            dense = self.dense(qvec, read, allowed)
            lap("dense")
            runs.append([i for i, _ in dense])
            if mode == "dense":
                scores = dict(dense)
        if mode in ("hybrid", "keyword"):
            kw = self.keyword(expanded(query) if expand else query, read, documents)
            lap("keyword")
            runs.append([i for i, _ in kw])
            if mode == "keyword":
                scores = dict(kw)
        if distinct:
            runs = [self._distinct(run, depth) for run in runs]
            scores = {i: scores[i] for run in runs for i in run} if scores else scores
        ranked = reciprocal_rank_fusion(runs, rrf_k) if mode == "hybrid" else sorted(scores.items(), key=lambda kv: -kv[1])
        # A reference typed as the query ("20/00102", "D50773") asks for that decision: its passages come first
        # in every mode, whatever the words of its title do in the ranking.
        first = self.decision_passages(self.named(query, whole=True), k, filters)
        if first:
            top = ranked[0][1] if ranked else 1.0
            ranked = [(i, top + (len(first) - n) * 1e-6) for n, i in enumerate(first)] + [
                (i, s) for i, s in ranked if i not in set(first)]
        lap("fuse")
        out = self.hits(ranked[:k])
        lap("hits")
        return out

    def _distinct(self, run: list[int], depth: int) -> list[int]:
        """The first passage of each distinct text in ``run``, in order, at most ``depth``."""
        if not run:
            return []
        hashes = dict(self.conn.execute(
            f"SELECT id, content_hash FROM passages WHERE id IN ({','.join('?' * len(run))})", run
        ).fetchall())
        seen: set[str] = set()
        out = []
        for i in run:
            h = hashes.get(i, str(i))
            if h not in seen:
                seen.add(h)
                out.append(i)
                if len(out) >= depth:
                    break
        return out

    def hits(self, ranked: list[tuple[int, float]]) -> list[Hit]:
        if not ranked:
            return []
        ids = [i for i, _ in ranked]
        rows = self.conn.execute(
            "SELECT p.id, p.label, p.heading, p.start, p.end, p.text, d.number, d.path, d.title, d.status,"
            f" d.doc_type, d.url FROM passages p JOIN documents d ON d.id = p.document_id WHERE p.id IN"
            f" ({','.join('?' * len(ids))})",
            ids,
        ).fetchall()
        by_id = {r["id"]: r for r in rows}
        return [
            Hit(i, by_id[i]["number"], by_id[i]["label"], by_id[i]["path"], round(score, 6), by_id[i]["text"],
                by_id[i]["heading"], by_id[i]["start"], by_id[i]["end"], by_id[i]["title"], by_id[i]["status"],
                by_id[i]["doc_type"], by_id[i]["url"])
            for i, score in ranked
            if i in by_id
        ]
