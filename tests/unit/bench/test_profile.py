"""`make profile` reads py-spy's raw samples into the frames a request spends its time in."""

from pathlib import Path

from bench.profile import top_frames

RAW = (
    "main (scorehost/app/cli.py:59);Runner.run (asyncio/runners.py:118);"
    "ScoreEndpoint.respond (scorehost/app/web/routes/score.py:58);"
    "TypedInput.decode (scorehost/app/scoring/typed_input.py:156) 6\n"
    "main (scorehost/app/cli.py:59);Runner.run (asyncio/runners.py:118);"
    "ScoreEndpoint.respond (scorehost/app/web/routes/score.py:61) 2\n"
    "Thread.run (threading.py:982);_WorkItem.run (concurrent/futures/thread.py:58);"
    "predict (sklearn/multiclass.py:505) 1\n"
    " 1\n"
    "main (scorehost/app/cli.py:59);Runner.run (asyncio/runners.py:118) 1\n"
)


def test_frames_every_sample_has_are_cut_and_lines_of_one_function_add_up(tmp_path: Path) -> None:
    raw = tmp_path / "profile.raw"
    raw.write_text(RAW)

    inclusive, own, layers = top_frames(raw, 10)

    assert dict(inclusive) == {
        "ScoreEndpoint.respond (scorehost/app/web/routes/score.py)": 8 / 11,
        "TypedInput.decode (scorehost/app/scoring/typed_input.py)": 6 / 11,
        "predict (sklearn/multiclass.py)": 1 / 11,
        "(no Python frame: the event loop's C code)": 2 / 11,
    }
    assert dict(own)["ScoreEndpoint.respond (scorehost/app/web/routes/score.py)"] == 2 / 11
    assert dict(layers) == {
        "scorehost scoring: parsing, the micro-batcher": 6 / 11,
        "scorehost web: middleware, endpoint, responses": 2 / 11,
        "HTTP: uvicorn, httptools, uvloop": 2 / 11,
        "other": 1 / 11,
    }
