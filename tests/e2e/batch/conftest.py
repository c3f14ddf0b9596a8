"""`scorehost batch` as a user runs it: the real command in its own process."""

import json
import os
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from PIL import Image

from tests.paths import ROOT


@dataclass
class Finished:
    code: int
    stdout: str
    stderr: str
    output: Path

    def rows(self, name: str = "parallel_run_step.txt") -> list[str]:
        return (self.output / name).read_text().splitlines()

    def summary(self) -> dict[str, Any]:
        data: dict[str, Any] = json.loads((self.output / "summary.json").read_text())
        return data

    def errors(self) -> list[dict[str, Any]]:
        text = (self.output / "errors.jsonl").read_text()
        return [json.loads(line) for line in text.splitlines()]


def flags(**options: object) -> list[str]:
    """Keyword arguments as the command's flags: `mini_batch_size=2` is `--mini-batch-size 2`."""
    return [part for name, value in options.items() for part in (_flag(name), str(value))]


def _flag(name: str) -> str:
    return "--" + name.replace("_", "-")


def batch_command(
    *args: str | Path, script_args: tuple[str | Path, ...] = (), **options: object
) -> list[str]:
    """The command; `script_args` go to the script, after `--`."""
    command = [sys.executable, "-m", "scorehost", "batch", "--no-progress", *map(str, args)]
    after = ["--", *map(str, script_args)] if script_args else []
    return command + flags(**options) + after


def run_batch(
    output: Path,
    *args: str | Path,
    env: dict[str, str] | None = None,
    cwd: Path = ROOT,
    script_args: tuple[str | Path, ...] = (),
    **options: object,
) -> Finished:
    """The command run to its end: `args` as they are, `options` as flags (see `flags`),
    `script_args` after `--`."""
    result = subprocess.run(
        batch_command("--output", output, *args, script_args=script_args, **options),
        capture_output=True,
        text=True,
        cwd=cwd,
        env={**os.environ, **(env or {})},
        timeout=240,
    )
    return Finished(result.returncode, result.stdout, result.stderr, output)


def write_pngs(folder: Path, rows: np.ndarray) -> list[Path]:
    """Digits as 28x28 greyscale PNG files, named by their position."""
    folder.mkdir(parents=True, exist_ok=True)
    paths = []
    for n, row in enumerate(rows):
        path = folder / f"{n:05d}.png"
        Image.fromarray((row * 255).round().astype(np.uint8).reshape(28, 28)).save(path)
        paths.append(path)
    return paths


def write_lines(folder: Path, lines: list[str]) -> None:
    """One small text file per line (`item-000.txt`...), the line as its content."""
    folder.mkdir(parents=True, exist_ok=True)
    for n, line in enumerate(lines):
        (folder / f"item-{n:03d}.txt").write_text(f"{line}\n")


@pytest.fixture
def digits_png(tmp_path: Path, digit_rows: np.ndarray) -> Path:
    write_pngs(tmp_path / "digits", digit_rows[:200])
    return tmp_path / "digits"
