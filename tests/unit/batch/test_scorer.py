"""A worker's side: the script's run() on a mini-batch, and what its return becomes."""

from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pytest
from PIL import Image

from scorehost.app.scoring.entry_script import EntryScriptError, ScriptSpec
from scorehost.batch.inputs import MiniBatch
from scorehost.batch.scorer import ItemsFailed, Scorer, WorkerSpec, frame_rows
from tests.paths import EXAMPLES, SCRIPTS, TUTORIAL_SCRIPT

BATCH = SCRIPTS / "batch"


def _scorer(script: Path, model_dir: Path | None = None, **spec: Any) -> Scorer:
    return Scorer(WorkerSpec(ScriptSpec(script, model_dir, **spec), "auto"))


def _digits(folder: Path, rows: np.ndarray) -> list[str]:
    paths = []
    for n, row in enumerate(rows):
        path = folder / f"{n:05d}.png"
        Image.fromarray((row * 255).round().astype(np.uint8).reshape(28, 28)).save(path)
        paths.append(str(path))
    return paths


def test_a_list_is_one_line_per_element(tmp_path: Path) -> None:
    (tmp_path / "a.txt").write_text("7\n")
    batch = MiniBatch(0, ("a.txt",), [str(tmp_path / "a.txt")])

    outcome = _scorer(BATCH / "file_lines.py").score(batch)

    assert (outcome.rows, outcome.returned) == ("a.txt: 7\n", 1)


def test_a_dataframe_is_one_space_separated_line_per_row_as_azure_ml_writes_it() -> None:
    frame = pd.DataFrame({"x": [1, 2], "y": [10, 20]})

    outcome = _scorer(BATCH / "table_sum.py").score(MiniBatch(0, ("0", "1"), frame))

    assert outcome.rows == "1 11\n2 22\n"


def test_a_frames_lines_are_what_pandas_to_csv_writes() -> None:
    frame = pd.DataFrame(
        {
            "file": ["a.png", "my digit.png", 'say "7"', None],
            "label": [7, 1, 0, 3],
            "p": [0.25, float("nan"), 1e-7, 2.0],
            "ok": [True, False, True, False],
        }
    )

    assert frame_rows(frame) == frame.to_csv(sep=" ", header=False, index=False)


def test_fewer_results_than_items_count_only_the_results(tmp_path: Path) -> None:
    paths = []
    for name in ("a", "b"):
        (tmp_path / name).write_text("short\n")
        paths.append(str(tmp_path / name))

    outcome = _scorer(BATCH / "file_lines.py").score(MiniBatch(0, ("a", "b"), paths))

    assert outcome.returned == 1


def test_a_raising_run_fails_the_mini_batch_with_its_message(tmp_path: Path) -> None:
    (tmp_path / "a").write_text("fail\n")
    with pytest.raises(ItemsFailed, match="ValueError: cannot score"):
        _scorer(BATCH / "file_lines.py").score(MiniBatch(0, ("a",), [str(tmp_path / "a")]))


def test_the_tutorials_online_script_scores_rows_like_predict(
    mnist_model_dir: Path, digit_rows: np.ndarray
) -> None:
    rows = digit_rows[:20]  # scaled as the tutorial's model takes them (scorehost data rows)
    scorer = _scorer(TUTORIAL_SCRIPT, mnist_model_dir)
    assert scorer.contract == "online"

    outcome = scorer.score(MiniBatch(0, tuple(map(str, range(20))), pd.DataFrame(rows)))

    expected = scorer.script.module.model.predict(rows)
    assert outcome.rows == "".join(f"{n} {label}\n" for n, label in enumerate(expected))


def test_an_online_script_gets_an_images_grey_levels_as_they_are(tmp_path: Path) -> None:
    paths = _digits(tmp_path, np.linspace(0, 1, 2 * 784).reshape(2, 784))
    scorer = _scorer(BATCH / "online_row_stats.py")
    assert scorer.contract == "online"

    outcome = scorer.score(MiniBatch(0, ("a.png", "b.png"), paths))

    grey = [np.asarray(Image.open(path)).ravel() for path in paths]
    assert outcome.rows == f"a.png {grey[0].max():.1f}\nb.png {grey[1].max():.1f}\n"


def test_the_batch_example_scores_pngs_and_idx_rows_alike(
    tmp_path: Path, mnist_model_dir: Path, digit_rows: np.ndarray
) -> None:
    paths = _digits(tmp_path, digit_rows[:10])
    scorer = _scorer(EXAMPLES / "mnist" / "score_batch.py", mnist_model_dir)
    assert scorer.contract == "mini_batch"
    # as a batch endpoint mounts its registered folder, too
    _scorer(EXAMPLES / "mnist" / "score_batch.py", mnist_model_dir, model_layout="registered")
    frame = pd.DataFrame(np.stack([np.asarray(Image.open(p)).ravel() for p in paths]))

    files = scorer.score(MiniBatch(0, tuple(paths), paths))
    table = scorer.score(MiniBatch(0, tuple(map(str, range(10))), frame))

    assert [line.split()[1] for line in files.rows.splitlines()] == table.rows.splitlines()


def test_a_file_that_is_no_row_is_refused_for_an_online_script(
    tmp_path: Path, mnist_model_dir: Path
) -> None:
    (tmp_path / "notes.txt").write_text("x")
    scorer = _scorer(TUTORIAL_SCRIPT, mnist_model_dir)
    with pytest.raises(ItemsFailed, match=r"images and \.npy files only"):
        scorer.score(MiniBatch(0, ("notes.txt",), [str(tmp_path / "notes.txt")]))


def test_a_failing_init_is_the_scripts_message() -> None:
    with pytest.raises(EntryScriptError, match=r"model\.pkl is not in the model folder"):
        _scorer(BATCH / "init_fails.py")


def test_a_typed_online_script_gets_the_rows_as_its_array(
    mnist_model_dir: Path, digit_rows: np.ndarray
) -> None:
    scorer = _scorer(EXAMPLES / "mnist" / "score_typed.py", mnist_model_dir)
    assert scorer.contract == "online"
    rows = digit_rows[:8]

    outcome = scorer.score(MiniBatch(0, tuple(map(str, range(8))), pd.DataFrame(rows)))

    expected = scorer.script.module.model.predict(rows)
    assert outcome.rows == "".join(f"{n} {label}\n" for n, label in enumerate(expected))


def test_frames_of_every_kind_are_written_byte_for_byte_as_to_csv_writes_them() -> None:
    frame = pd.DataFrame(
        {
            "f32": np.array([0.1, 0.2, 1.5], dtype=np.float32),
            "nullable": pd.array([1, None, 3], dtype="Int64"),
            "when": [pd.Timestamp("2026-12-07"), pd.NaT, pd.Timestamp("2026-01-01 10:30")],
            "kind": pd.Categorical(["a", "b", "a"]),
            "text": ["x", pd.NA, "y z"],
        }
    )
    assert frame_rows(frame) == frame.to_csv(sep=" ", header=False, index=False)
