"""The default answerer: offline, no LLM. It quotes the sentences that answer the question, verbatim.

The answer to "how much is X worth" is the sentence with the amount, not the passage that mentions X: every
sentence of the retrieved passages is scored (``qa.evidence``) and the best one or two are quoted, each with its
citation. A sentence found word for word in two documents of the same decision cites both.
"""
from __future__ import annotations

from index.search import Hit
from qa.evidence import Evidence, ScoredSentence
from qa.intent import Intent
from qa.records import Citation, Claim, Draft
from qa.text import (MAX_LIST_CHARS, collapse, is_item, list_spans, normalise, quotable, sentences, with_its_list,
                     with_its_sequel)

# intents only a sentence of that kind answers
STRICT = (Intent.AMOUNT, Intent.DATE, Intent.COUNT, Intent.WHO, Intent.PERCENT, Intent.ORGANISATION,
          Intent.DURATION, Intent.PLACE, Intent.SOURCE, Intent.SECTION)
SECOND_CLAIM_RATIO = 0.9  # a second sentence is quoted only when it scores nearly as well as the first
LIST_PASSAGES = 4  # passages of a list quoted after a lead-in that ends its own passage
MAX_CITATIONS_PER_CLAIM = 2
MAX_LIST_ITEMS = 25  # items of one long list quoted, each with its citation


def citation_for(hit: Hit, quote: str) -> Citation:
    return Citation(hit.decision, hit.paragraph, hit.document, collapse(quote), hit.passage_id)


def _same(a: ScoredSentence, b: ScoredSentence) -> bool:
    """The same sentence, though one document wrote ’ where the other wrote '."""
    return normalise(quotable(a.text, a.hit.heading)) == normalise(quotable(b.text, b.hit.heading))


class ExtractiveAnswerer:
    name = "extractive"

    def __init__(self, passages: int = 20) -> None:
        self.passages = passages

    def draft(self, question: str, hits: list[Hit], evidence: Evidence, intent: Intent) -> Draft:
        scored = evidence.sentences(hits[: self.passages], intent)
        if not scored:
            return Draft((), self.name)
        chosen = self._choose(scored, intent, strict=evidence.frame.plain)
        if not chosen:
            return Draft((), self.name)
        claims = []
        read: list[Hit] = []
        for s in chosen:
            items = list_spans(s.hit.text, s.start, s.end)
            if len(items) > 1 and items[-1][1] - items[0][0] > MAX_LIST_CHARS:
                # "Which ... were approved?": every item of a long list, each quoted and cited, not the two nearest
                claims += [self._quoted(s.hit, a, b) for a, b in items[:MAX_LIST_ITEMS + 1]]
                if items[-1][1] >= len(s.hit.text.rstrip()):  # the list goes on in the paragraph's next part
                    more, seen = self._list_after(evidence.searcher, s.hit, MAX_LIST_ITEMS + 1 - len(items))
                    claims += more
                    read += seen
                continue
            start, end = with_its_list(s.hit.text, s.start, s.end)
            if (start, end) == (s.start, s.end):
                start, end = with_its_sequel(s.hit.text, s.start, s.end)
            quote = quotable(s.hit.text[start:end], s.hit.heading)
            twins = [t.hit for t in scored if t.hit.decision == s.hit.decision and t.hit.passage_id != s.hit.passage_id
                     and _same(t, s)]
            cites = [citation_for(h, quote) for h in [s.hit, *twins]][:MAX_CITATIONS_PER_CLAIM]
            claims.append(Claim(quote, tuple(cites)))
        if claims and claims[-1].text.rstrip().endswith(":") and chosen[-1].end >= len(chosen[-1].hit.text.rstrip()):
            # "The Cabinet Member has endorsed:" ends its passage; what was endorsed is the list that follows
            for nxt in evidence.searcher.following(chosen[-1].hit, LIST_PASSAGES):
                quote = quotable(nxt.text, nxt.heading)
                claims.append(Claim(quote, (citation_for(nxt, quote),)))
                read.append(nxt)
                if not is_item(nxt.text):  # an item of a list: the list may go on after it
                    break
        return Draft(tuple(claims), self.name, read=tuple(read))

    @staticmethod
    def _quoted(hit: Hit, start: int, end: int) -> Claim:
        quote = quotable(hit.text[start:end], hit.heading)
        return Claim(quote, (citation_for(hit, quote),))

    def _list_after(self, searcher, hit: Hit, room: int) -> tuple[list[Claim], list[Hit]]:
        """The items of a list that runs on past ``hit`` into the next parts of the same paragraph, each quoted."""
        claims: list[Claim] = []
        read: list[Hit] = []
        for nxt in searcher.following(hit, LIST_PASSAGES):
            if nxt.paragraph != hit.paragraph or nxt.document != hit.document:
                break
            spans = [(a, b) for a, b in sentences(nxt.text) if is_item(nxt.text[a:b])]
            read.append(nxt)
            claims += [self._quoted(nxt, a, b) for a, b in spans[:max(room - len(claims), 0)]]
            if not spans or spans[-1][1] < len(nxt.text.rstrip()):
                break  # the list ends inside this part
        return claims, read

    @staticmethod
    def _choose(scored: list[ScoredSentence], intent: Intent, strict: bool = False) -> list[ScoredSentence]:
        # A question that asks for an amount, a date, a count or a person is answered by a sentence that has one;
        # where no sentence read has one, the documents do not say, and quoting another sentence would pass off
        # what they do say as the answer.
        if strict and intent in STRICT:
            scored = [s for s in scored if s.fits]
            if not scored:
                return []
        elif intent is not Intent.GENERAL:
            fitting = [s for s in scored if s.fits]
            scored = fitting or scored
        best = scored[0]
        chosen = [best]
        for s in scored[1:]:
            if s.score < SECOND_CLAIM_RATIO * best.score:
                break
            if _same(s, best):
                continue
            if s.hit.passage_id == best.hit.passage_id and abs(s.start - best.end) > 2:
                continue  # a second sentence from the same passage only when it follows on
            chosen.append(s)
            break
        return chosen
