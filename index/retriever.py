"""Our index as a LangChain retriever, so users can plug it into their own chains."""
from __future__ import annotations

from typing import Any

from langchain_core.callbacks import CallbackManagerForRetrieverRun
from langchain_core.documents import Document
from langchain_core.retrievers import BaseRetriever
from pydantic import ConfigDict

from index.filters import Filters


class CouncilRetriever(BaseRetriever):
    """``CouncilRetriever(searcher=Searcher(path), k=5)``; each Document carries decision and paragraph."""

    model_config = ConfigDict(arbitrary_types_allowed=True)
    searcher: Any
    k: int = 5
    filters: Filters = Filters()
    mode: str = "hybrid"

    def _get_relevant_documents(self, query: str, *, run_manager: CallbackManagerForRetrieverRun) -> list[Document]:
        return [
            Document(
                page_content=h.text,
                metadata={"decision": h.decision, "paragraph": h.paragraph, "document": h.document,
                          "score": h.score, "title": h.title, "status": h.status,
                          "citation": h.citation},
            )
            for h in self.searcher.search(query, k=self.k, filters=self.filters, mode=self.mode)
        ]
