"""Decision vectors: one vector per decision for what it is about, for ``similar`` and precedent questions.

A passage says one thing; a decision is about one subject. Precedents are found decision to decision, so each
decision gets a vector of its own at ingest, made of three views of it, each an L2-normalised vector:

- its **title** (or, where the page lost it, the first plain sentence that stands for it);
- its **subject fields**: purpose, decision and reasons as the page prints them (``ingest.metadata``);
- the **centroid of its own passages**: every passage vector of the decision (already embedded for search)
  except the page's metadata lines (who, when, status: the layout's labels, ``ingest/layouts``) and text it
  shares word for word with another decision (a council's boilerplate says nothing of the subject).

The views present are weighted (``WEIGHTS``), summed and normalised; a decision with no title and no fields is
its passages' centroid. Titles and field texts go through the same content-addressed cache as passages
(``index.cache``), so an unchanged text is never embedded twice. Each decision's inputs are hashed (``key``):
a decision whose inputs did not change keeps the live generation's vector, so a build re-embeds and recomputes
only the decisions that changed. Files of the generation, listed and checksummed in ``manifest.json``:

    decision_ids.npy       each decision's id (``ingest.identity``), sorted
    decision_keys.npy      the sha256 of each decision's inputs and the recipe, in the same order
    decision_vectors.npy   float32, one row per decision, in the same order
    decision_vectors.json  the model, dimension, recipe and count; a generation of another model is refused
"""
from __future__ import annotations

import json
import os
import sqlite3
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from index.cache import EmbeddingCache, embed_missing
from index.embed import Embedder
from index.errors import IndexCorrupt, ModelMismatch
from index.store import content_hash

IDS = "decision_ids.npy"
KEYS = "decision_keys.npy"
VECTORS = "decision_vectors.npy"
META = "decision_vectors.json"
FILES = [IDS, KEYS, VECTORS, META]
RECIPE = 1  # bump when what goes into a decision's vector changes: every decision is recomputed (from the cache)
WEIGHTS = {"title": 1.0, "fields": 1.0, "passages": 1.0}
SUBJECT_FIELDS = ("purpose", "decision", "reasons")
# Fields of a page that say who, when or how a decision was made, never what it is about: their lines are
# left out of the passages' centroid (the layout's own field names, ``ingest/layouts/moderngov.json``).
META_FIELDS = frozenset({"reference", "title", "decision_maker", "maker_post", "meeting", "status", "key_decision",
                         "call_in", "date_decision", "date_published", "date_effective", "date_meeting", "interests",
                         "wards", "contact"})
CHUNK = 2_000  # decisions computed at a time: bounds the passage vectors held in memory
_AUTHORITY = {"record": 0, "decision page": 1, "proposed record": 2, "report": 3}  # as ``index.decisions``


@dataclass(frozen=True)
class DecisionInput:
    number: str
    title: str
    fields: str  # purpose, decision and reasons, one a line
    passages: tuple[str, ...]  # embedding-cache keys of the passages whose centroid is taken
    key: str  # sha256 of all of the above and RECIPE


def present(gen_dir: Path) -> bool:
    """Whether a generation holds decision vectors (one built before them does not)."""
    return all((gen_dir / name).exists() for name in FILES)


def is_metadata(heading: str) -> bool:
    """A passage under a label of who, when or how ("Decision Maker", "Date of decision", "Wards affected")."""
    from ingest.layouts import layout

    return layout().field_of(heading) in META_FIELDS


def inputs(conn: sqlite3.Connection, passage_keys: dict[int, str]) -> list[DecisionInput]:
    """What each decision's vector is made of, sorted by id. ``passage_keys``: passage id -> embedding-cache key."""
    docs: dict[str, list[sqlite3.Row]] = {}
    conn.row_factory = sqlite3.Row
    for r in conn.execute("SELECT id, number, doc_type, path, title, fields FROM documents WHERE number != ''"):
        docs.setdefault(r["number"], []).append(r)
    shared = {r[0] for r in conn.execute(
        "SELECT p.content_hash FROM passages p JOIN documents d ON d.id = p.document_id WHERE d.number != ''"
        " GROUP BY p.content_hash HAVING count(DISTINCT d.number) > 1")}
    by_doc: dict[int, list[str]] = {}
    metadata_cache: dict[str, bool] = {}
    for pid, doc_id, heading, digest in conn.execute(
            "SELECT id, document_id, heading, content_hash FROM passages ORDER BY document_id, start"):
        if digest in shared:
            continue
        meta = metadata_cache.get(heading)
        if meta is None:
            meta = metadata_cache[heading] = is_metadata(heading)
        if not meta and pid in passage_keys:
            by_doc.setdefault(doc_id, []).append(passage_keys[pid])
    out = []
    for number in sorted(docs):
        rows = sorted(docs[number], key=lambda r: (_AUTHORITY.get(r["doc_type"], 9), r["path"]))
        merged: dict[str, str] = {}
        for r in reversed(rows):  # the most authoritative document's fields win
            merged.update(json.loads(r["fields"] or "{}"))
        title = next((r["title"] for r in rows if r["title"]), "") or merged.get("lead", "")
        fields = "\n".join(merged[f] for f in SUBJECT_FIELDS if merged.get(f))
        passages = tuple(k for r in rows for k in by_doc.get(r["id"], ()))
        digest = content_hash("\0".join([str(RECIPE), json.dumps(WEIGHTS, sort_keys=True), title, fields,
                                         *sorted(set(passages))]))
        out.append(DecisionInput(number, " ".join(title.split()), fields, passages, digest))
    return out


def represent(views: dict[str, np.ndarray]) -> np.ndarray | None:
    """The weighted sum of a decision's normalised views, normalised; None where it has none."""
    parts = [WEIGHTS[name] * v / n for name, v in views.items() if (n := float(np.linalg.norm(v))) > 0]
    if not parts:
        return None
    total = np.sum(parts, axis=0)
    norm = float(np.linalg.norm(total))
    return (total / norm).astype(np.float32) if norm > 0 else None


def write(gen_dir: Path, conn: sqlite3.Connection, passage_keys: dict[int, str], cache: EmbeddingCache,
          embedder: Embedder, live: Path | None, say: Callable[[str], None]) -> tuple[int, int, list[str]]:
    """Compute the vector of every decision whose inputs changed (the rest are the live generation's) and write
    them all into ``gen_dir``. Returns (texts embedded, decisions computed, files written)."""
    items = inputs(conn, passage_keys)
    kept = _live_vectors(live, embedder.model_id, embedder.dim)
    todo = [it for it in items if kept.get(it.number, ("",))[0] != it.key]
    texts = {content_hash(t): t for it in todo for t in (it.title, it.fields) if t}
    embedded = embed_missing(cache, embedder, texts, "decision titles and fields", say)
    matrix = np.zeros((len(items), embedder.dim), dtype=np.float32)
    row = {it.number: i for i, it in enumerate(items)}
    for it in items:
        if it.number in kept and kept[it.number][0] == it.key:
            matrix[row[it.number]] = kept[it.number][1]
    for start in range(0, len(todo), CHUNK):
        chunk = todo[start:start + CHUNK]
        wanted = list(dict.fromkeys(k for it in chunk for k in (*it.passages, *(content_hash(t) for t in
                                                                                (it.title, it.fields) if t))))
        vecs = dict(zip(wanted, cache.get(embedder.model_id, wanted, embedder.dim))) if wanted else {}
        for it in chunk:
            views = {}
            if it.title:
                views["title"] = vecs[content_hash(it.title)]
            if it.fields:
                views["fields"] = vecs[content_hash(it.fields)]
            if it.passages:
                views["passages"] = np.mean([vecs[k] for k in it.passages], axis=0)
            vec = represent(views)
            if vec is not None:
                matrix[row[it.number]] = vec
    if todo:
        say(f"decision vectors: {len(todo)} computed, {len(items) - len(todo)} kept")
    ids = np.array([it.number for it in items], dtype=_id_dtype(items))
    _save(gen_dir / IDS, ids)
    _save(gen_dir / KEYS, np.array([it.key for it in items], dtype="S64"))
    _save(gen_dir / VECTORS, np.ascontiguousarray(matrix, dtype="<f4"))
    meta = {"model": embedder.model_id, "dimension": embedder.dim, "recipe": RECIPE, "weights": WEIGHTS,
            "decisions": len(items)}
    with open(gen_dir / META, "w", encoding="utf-8") as f:
        json.dump(meta, f, indent=2, sort_keys=True)
        f.flush()
        os.fsync(f.fileno())
    return embedded, len(todo), list(FILES)


def _id_dtype(items: list[DecisionInput]) -> str:
    return f"<U{max([len(it.number) for it in items] + [1])}"


def _live_vectors(live: Path | None, model_id: str, dim: int) -> dict[str, tuple[str, np.ndarray]]:
    """The live generation's decision vectors by id, with their input keys; {} where it has none of this model."""
    if live is None or not present(live):
        return {}
    try:
        meta = json.loads((live / META).read_text(encoding="utf-8"))
        if meta.get("model") != model_id or meta.get("dimension") != dim or meta.get("recipe") != RECIPE:
            return {}
        ids = np.load(live / IDS, allow_pickle=False)
        keys = np.load(live / KEYS, allow_pickle=False)
        vectors = np.load(live / VECTORS, allow_pickle=False)
    except (OSError, ValueError):
        return {}  # unreadable: every decision is computed again, from the cache
    if vectors.shape != (len(ids), dim) or len(keys) != len(ids):
        return {}
    return {str(n): (k.decode(), vectors[i]) for i, (n, k) in enumerate(zip(ids, keys))}


def _save(path: Path, array: np.ndarray) -> None:
    with open(path, "wb") as f:
        np.save(f, array, allow_pickle=False)
        f.flush()
        os.fsync(f.fileno())


class DecisionVectors:
    """The decision vectors of one generation (its manifest already verified), refused if made by another model."""

    def __init__(self, gen_dir: Path, model_id: str, dim: int) -> None:
        try:
            meta = json.loads((gen_dir / META).read_text(encoding="utf-8"))
            self.ids = np.load(gen_dir / IDS, allow_pickle=False)
            self.vectors = np.load(gen_dir / VECTORS, mmap_mode="r", allow_pickle=False)
        except (OSError, ValueError) as exc:
            raise IndexCorrupt(str(gen_dir / VECTORS), f"decision vectors unreadable ({exc})") from None
        if meta.get("model") != model_id or meta.get("dimension") != dim:
            raise ModelMismatch(f"{meta.get('model')} ({meta.get('dimension')}-d, decision vectors)",
                                f"{model_id} ({dim}-d)")
        if self.ids.dtype.kind != "U" or self.vectors.shape != (len(self.ids), dim):
            raise IndexCorrupt(str(gen_dir / VECTORS), f"not {len(self.ids)} decision vectors of {dim} dimensions")
        self.vectors = np.ascontiguousarray(self.vectors, dtype=np.float32)  # read once: searched whole each time
        self.row = {str(n): i for i, n in enumerate(self.ids)}

    def __len__(self) -> int:
        return len(self.ids)

    def of(self, number: str) -> np.ndarray | None:
        i = self.row.get(number)
        return None if i is None else self.vectors[i]

