"""The generated answerer: any LangChain chat model (``BaseChatModel``), checked like every other answer.

The prompt (``qa/prompts/*.txt``) fences each passage between lines carrying a random boundary made fresh for
every request, so a document cannot close the fence and speak as the system. The model cites passages as
``[P1]``; those ids are mapped back to decision and paragraph here, and ``qa.cite.verify`` then removes any
statement whose citation names no given passage, whose quote is not in the passage, or whose figures are not.
"""
from __future__ import annotations

import re
import secrets
from pathlib import Path

from index.search import Hit
from qa.evidence import Evidence
from qa.intent import Intent
from qa.records import Citation, Claim, Draft
from qa.text import normalise, sentences

PROMPTS = Path(__file__).resolve().parent / "prompts"
_CITE = re.compile(r"\[\s*(P\d+(?:\s*[,;]\s*P\d+)*)\s*\]")
_QUOTED = re.compile(r"[\"“]([^\"”]{3,})[\"”]")


def _prompt(name: str) -> str:
    return (PROMPTS / name).read_text(encoding="utf-8")


def build_messages(question: str, hits: list[Hit], boundary: str) -> list[tuple[str, str]]:
    open_fence, close_fence = f"<<<PASSAGE {boundary}>>>", f"<<<END {boundary}>>>"
    blocks = []
    for i, h in enumerate(hits, 1):
        text = h.text.replace(boundary, "")  # a document cannot forge the fence
        blocks.append(f"{open_fence}\nid: P{i}\ndecision: {h.decision} ({h.status or 'status unknown'})\n"
                      f"paragraph: {h.paragraph}\n{text}\n{close_fence}")
    system = _prompt("system.txt").format(open_fence=open_fence, close_fence=close_fence)
    user = _prompt("user.txt").format(passages="\n\n".join(blocks), question=question)
    return [("system", system), ("human", user)]


def parse(output: str, hits: list[Hit]) -> tuple[Claim, ...]:
    """Sentences of the model's reply, each with the passages it cites (unknown ids cite nothing real)."""
    text = output.strip()
    if not text or text.upper().startswith("NOT_FOUND"):
        return ()
    claims = []
    for s, e in sentences(text):
        sentence = text[s:e]
        ids = [int(p[1:]) for m in _CITE.finditer(sentence) for p in re.split(r"\s*[,;]\s*", m.group(1))]
        bare = normalise(_CITE.sub("", sentence))
        if not bare or bare in {".", ","}:
            continue
        quotes = [normalise(q) for q in _QUOTED.findall(bare)]
        cites = []
        for i in ids:
            if 1 <= i <= len(hits):
                h = hits[i - 1]
                quote = quotes[0] if quotes else _best_support(bare, h.text)
                cites.append(Citation(h.decision, h.paragraph, h.document, quote, h.passage_id))
            else:
                cites.append(Citation(f"P{i}", "?", "", bare, -1))  # names no given passage: verify drops it
        claims.append(Claim(bare, tuple(cites)))
    return tuple(claims)


def _best_support(claim: str, passage: str) -> str:
    """The passage sentence sharing most words with the claim: the verbatim text shown as its quote."""
    words = set(claim.lower().split())
    spans = sentences(passage) or [(0, len(passage))]
    s, e = max(spans, key=lambda sp: len(words & set(passage[sp[0]:sp[1]].lower().split())))
    return normalise(passage[s:e])


class GeneratedAnswerer:
    def __init__(self, model, passages: int = 6) -> None:
        self.model = model
        self.passages = passages
        self.name = f"llm:{getattr(model, 'model_name', None) or getattr(model, 'model', None) or type(model).__name__}"

    def draft(self, question: str, hits: list[Hit], evidence: Evidence, intent: Intent) -> Draft:
        # the passages whose sentences best answer the question (an amount question gets the amounts)
        best: dict[int, Hit] = {}
        for s in evidence.sentences(hits, intent):
            if len(best) == self.passages:
                break
            best.setdefault(s.hit.passage_id, s.hit)
        given = list(best.values())
        reply = self.model.invoke(build_messages(question, given, secrets.token_hex(8)))
        content = reply.content if hasattr(reply, "content") else str(reply)
        if isinstance(content, list):  # some chat models return content blocks
            content = " ".join(b.get("text", "") if isinstance(b, dict) else str(b) for b in content)
        return Draft(parse(content, given), self.name)
