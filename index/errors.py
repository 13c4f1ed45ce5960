"""Domain errors of the index; the CLI and UI turn them into one sentence that says what to do."""
from __future__ import annotations


class IndexError_(Exception):
    """Base class of index errors (named so as not to shadow the builtin ``IndexError``)."""


class IndexNotFound(IndexError_):
    def __init__(self, path: str) -> None:
        super().__init__(f"no index at {path}: run `councilqa ingest PATH --index {path}` first")


class IndexBusy(IndexError_):
    def __init__(self, path: str) -> None:
        super().__init__(f"another ingest is writing to {path}; wait for it to finish and try again")


class IndexCorrupt(IndexError_):
    def __init__(self, path: str, why: str) -> None:
        super().__init__(f"index file {path}: {why}; re-index with `councilqa ingest PATH --index DIR`")


class IndexOutdated(IndexError_):
    def __init__(self, path: str) -> None:
        super().__init__(f"the index at {path} was written by an older councilqa: run `councilqa ingest PATH --index "
                         f"{path}` again to update it (nothing already embedded is embedded again)")


class ModelMismatch(IndexError_):
    def __init__(self, built: str, configured: str) -> None:
        super().__init__(f"the index was built with {built}, but {configured} is configured: re-index with "
                         f"`councilqa ingest PATH --model ...`, or search with the model it was built with")


class ClusterError(IndexError_):
    """A Ray cluster that cannot be reached, lost during a build, or unlike this machine (``index.ray_pool``);
    the build stops and the previous generation stays live."""


class BadRequest(ValueError):
    """A request out of its bounds (``index.requests``): the message names the value and what is accepted."""
