"""Chat models named by a spec string (``--llm`` / ``$COUNCILQA_LLM``), imported only when asked for.

- ``ollama:MODEL``: a local model served by Ollama (``pip install langchain-ollama``);
- ``openai:MODEL``: OpenAI or any OpenAI-compatible endpoint, e.g. llama.cpp's server, via ``$OPENAI_BASE_URL``
  (``pip install langchain-openai``);
- ``module:attribute``: a Python factory returning any LangChain ``BaseChatModel``.
"""
from __future__ import annotations

import importlib


class LLMUnavailable(ValueError):
    pass


def load_chat_model(spec: str):
    kind, _, rest = spec.partition(":")
    if not rest:
        raise LLMUnavailable(f"--llm {spec!r}: expected ollama:MODEL, openai:MODEL or module:factory")
    try:
        if kind == "ollama":
            from langchain_ollama import ChatOllama

            return ChatOllama(model=rest, temperature=0)
        if kind == "openai":
            from langchain_openai import ChatOpenAI

            return ChatOpenAI(model=rest, temperature=0)
    except ImportError as exc:
        package = "langchain-ollama" if kind == "ollama" else "langchain-openai"
        raise LLMUnavailable(f"--llm {spec}: install {package} to use it ({exc.name} is missing)") from exc
    try:
        factory = getattr(importlib.import_module(kind), rest)
    except (ImportError, AttributeError) as exc:
        raise LLMUnavailable(f"--llm {spec}: no factory {rest} in module {kind}") from exc
    model = factory()
    from langchain_core.language_models import BaseChatModel

    if not isinstance(model, BaseChatModel):
        raise LLMUnavailable(f"--llm {spec}: {kind}.{rest}() returned {type(model).__name__}, not a chat model")
    return model
