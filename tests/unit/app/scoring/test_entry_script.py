import logging
from pathlib import Path
from typing import Any

import pytest

from scorehost.app.scoring.entry_script import (
    EntryScriptError,
    Kind,
    RunRaised,
    Script,
    ScriptSpec,
    load_script,
)
from tests.paths import SCRIPTS


def _load(path: Path, **spec: Any) -> Script:
    """The script as `serve` and `batch` load it."""
    return load_script(ScriptSpec(path, **spec))


def _run(script: Script, data: Any, headers: dict[str, str] | None = None) -> Any:
    contract = script.contract
    return contract.call({contract.data_parameter: data}, headers).value


def _script(tmp_path: Path, source: str) -> Path:
    path = tmp_path / "score.py"
    path.write_text(source)
    return path


def test_run_receives_text_and_headers_only_when_declared() -> None:
    plain = _load(SCRIPTS / "echo.py")
    with_headers = _load(SCRIPTS / "headers.py")
    assert not plain.contract.wants_headers and with_headers.contract.wants_headers
    assert _run(plain, "a", {"x-custom": "1"}) == {"received": "a", "type": "str"}
    assert _run(with_headers, "a", {"x-custom": "1"}) == {"body": "a", "x-custom": "1"}


def test_run_with_a_differently_named_parameter(tmp_path: Path) -> None:
    script = _load(_script(tmp_path, "def init(): pass\ndef run(payload): return payload"))
    assert (script.contract.kind, script.contract.data_parameter) == (Kind.TEXT, "payload")
    assert _run(script, "p") == "p"


@pytest.mark.parametrize(
    ("source", "message"),
    [
        ("def init(): pass\ndef run(*args): pass", "cannot take positional-only arguments"),
        ("def init(): pass\ndef run(request_headers): pass", "must take an argument"),
        ("def run(x): pass", "does not define a init() function"),
        ("init = 3\ndef run(x): pass", "does not define a init() function"),
        ("raise SystemExit(1)", "Importing"),
    ],
)
def test_unservable_scripts_are_refused(tmp_path: Path, source: str, message: str) -> None:
    with pytest.raises(EntryScriptError, match=message.replace("(", "\\(").replace(")", "\\)")):
        _load(_script(tmp_path, source))


def test_init_failure_names_the_file_and_keeps_the_cause() -> None:
    script = _load(SCRIPTS / "init_raises.py")
    with pytest.raises(EntryScriptError, match=r"init_raises\.py failed: RuntimeError") as info:
        script.init()
    assert isinstance(info.value.__cause__, RuntimeError)


def test_run_failure_keeps_the_original_exception() -> None:
    script = _load(SCRIPTS / "run_raises.py")
    with pytest.raises(RunRaised) as info:
        _run(script, "boom")
    assert isinstance(info.value.original, ZeroDivisionError)
    assert info.value.exec_ms >= 0


def test_run_is_timed() -> None:
    ran = _load(SCRIPTS / "echo.py").contract.call({"raw_data": "a"})
    assert ran.exec_ms >= 0


def test_model_dir_is_exported_for_init(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("AZUREML_MODEL_DIR", raising=False)
    source = "import os\ndef init():\n    global d\n    d = os.environ['AZUREML_MODEL_DIR']\n"
    script = _load(_script(tmp_path, source + "def run(x): return d"), model_dir=tmp_path)
    script.init()
    assert _run(script, "") == str(tmp_path)


def test_expected_features_come_from_the_fitted_model(tmp_path: Path) -> None:
    source = (
        "class Fitted:\n    n_features_in_ = 784\n"
        "def init():\n    global model\n    model = Fitted()\ndef run(x): pass\n"
    )
    script = _load(_script(tmp_path, source))
    assert script.expected_features() is None
    script.init()
    assert script.expected_features() == 784


def test_a_plain_run_after_a_typed_one_is_not_mistaken_for_typed() -> None:
    # inference-schema keys its registry by module and function name, the same for every script
    assert _load(SCRIPTS / "typed_sum.py").contract.kind is Kind.TYPED
    assert _load(SCRIPTS / "echo.py").contract.kind is Kind.TEXT


_RAW = (
    "from azureml.contrib.services.aml_request import rawhttp\n"
    "def init(): pass\n"
    "@rawhttp\n"
    "def run(request): return request\n"
)


def test_a_rawhttp_run_is_told_apart_and_gets_what_it_is_given(tmp_path: Path) -> None:
    script = _load(_script(tmp_path, _RAW))
    assert script.contract.kind is Kind.RAW and script.contract.typed is None
    assert _run(script, "the request") == "the request"


def test_rawhttp_and_input_schema_together_are_refused(tmp_path: Path) -> None:
    source = (
        "from azureml.contrib.services.aml_request import rawhttp\n"
        "from inference_schema.schema_decorators import input_schema\n"
        "from inference_schema.parameter_types.standard_py_parameter_type import "
        "StandardPythonParameterType\n"
        "def init(): pass\n"
        "@rawhttp\n"
        "@input_schema('x', StandardPythonParameterType(1))\n"
        "def run(x): return x\n"
    )
    with pytest.raises(EntryScriptError, match="both @rawhttp and @input_schema"):
        _load(_script(tmp_path, source))


def test_a_driver_modules_init_runs_with_the_driven_scripts_run(tmp_path: Path) -> None:
    (tmp_path / "real_score.py").write_text("def init(): pass\ndef run(x): return 'real'\n")
    driver = "import real_score as driver_module\ndef init(): pass\ndef run(x): return 'driver'\n"
    script = _load(_script(tmp_path, driver))
    assert _run(script, "x") == "real"


def test_extra_import_paths_and_the_environment_are_given(tmp_path: Path) -> None:
    source_dir = tmp_path / "src"
    source_dir.mkdir()
    (source_dir / "helper_beside.py").write_text("VALUE = 5\n")
    script_dir = tmp_path / "app"
    script_dir.mkdir()
    source = (
        "import os, helper_beside\ndef init(): pass\n"
        "def run(x): return (helper_beside.VALUE, os.environ['MY_VAR'])\n"
    )
    script = _load(
        _script(script_dir, source), source_dir=source_dir, environment={"MY_VAR": "set"}
    )
    assert _run(script, "x") == (5, "set")


def test_the_common_variables_are_exported(tmp_path: Path) -> None:
    spec = ScriptSpec(tmp_path / "score.py", model_dir=tmp_path, app_root=tmp_path)
    assert spec.exported() == {
        "AML_APP_ROOT": str(tmp_path),
        "AZUREML_ENTRY_SCRIPT": str(tmp_path / "score.py"),
        "AZUREML_MODEL_DIR": str(tmp_path),
    }
    assert "AZUREML_MODEL_DIR" not in ScriptSpec(tmp_path / "score.py").exported()


def test_pinned_model_files_are_checked_before_the_script_is_imported(tmp_path: Path) -> None:
    (tmp_path / "model.pkl").write_bytes(b"tampered")
    script = _script(tmp_path, "raise RuntimeError('imported')")
    with pytest.raises(EntryScriptError, match="refusing to load it"):
        _load(script, model_dir=tmp_path, pins={"model.pkl": "0" * 64})


def test_a_missing_model_folder_is_a_warning(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    script = _script(tmp_path, "def init(): pass\ndef run(x): return x")
    with caplog.at_level(logging.WARNING, "scorehost"):
        _load(script, model_dir=tmp_path / "gone")
    assert "does not exist; init() fails if it reads it" in caplog.text
