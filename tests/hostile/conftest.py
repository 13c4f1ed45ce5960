"""Fixtures of the hostile suite: a small index of the sample, built once per module."""
from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from index.build import build
from tests.conftest import SAMPLE
from tests.hostile.support import EMB


@pytest.fixture(scope="module")
def sample_corpus(tmp_path_factory) -> Path:
    folder = tmp_path_factory.mktemp("hostile") / "corpus"
    shutil.copytree(SAMPLE, folder, ignore=shutil.ignore_patterns("README*"))
    return folder


@pytest.fixture(scope="module")
def index_dir(sample_corpus) -> Path:
    d = sample_corpus.parent / "index"
    build([sample_corpus], d, EMB, "hash:384")
    return d
