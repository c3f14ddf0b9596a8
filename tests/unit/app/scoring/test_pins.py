"""Pinned model files: a swapped or corrupted model stops the server before init()."""

import hashlib
from pathlib import Path

import pytest

from scorehost.app.scoring.pins import PinMismatch, verify_pins


def test_a_matching_pin_passes(tmp_path: Path) -> None:
    (tmp_path / "model.pkl").write_bytes(b"weights")
    verify_pins(tmp_path, {"model.pkl": hashlib.sha256(b"weights").hexdigest()})


def test_a_changed_file_is_refused_with_both_digests(tmp_path: Path) -> None:
    (tmp_path / "model.pkl").write_bytes(b"tampered")
    with pytest.raises(PinMismatch, match=r"has SHA-256 [0-9a-f]{64}, but .* pins 0{64}"):
        verify_pins(tmp_path, {"model.pkl": "0" * 64})


def test_a_missing_pinned_file_is_refused(tmp_path: Path) -> None:
    with pytest.raises(PinMismatch, match=r"pinned model file .*model\.pkl does not exist"):
        verify_pins(tmp_path, {"model.pkl": "0" * 64})
