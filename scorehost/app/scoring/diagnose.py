"""Tell a client's mistake from a bug: explain why run() failed on this body, if the body is why.

Azure ML's server answers 500 to every exception from run(). Here, an exception that the body
explains (not JSON, a key the script read and the body lacks, ragged rows, strings for numbers,
...) becomes a 4xx that says what to fix; anything the body does not explain stays a 500. Only
what is known is said: rows are looked for under whichever keys hold lists, whatever they are
called; a missing key is named as what the script asked for.
"""

import json
import math
import re
from typing import Any

from scorehost.app.errors import BadRequest, ScorehostError, UnprocessableInput

_SKLEARN_1D = "Expected 2D array, got 1D array"
# scikit-learn saying the model got no rows (its wording up to 1.5 and since)
_SKLEARN_NOT_2D = re.compile(
    r"Expected 2D array, got (scalar|1D) array|should have at least 1 dimension"
)
_SKLEARN_WIDTH = re.compile(r"X has (\d+) features, but (\w+) is expecting (\d+) features")


def explain(
    body: str, exc: BaseException, expected_width: int | None, script: str
) -> ScorehostError | None:
    """A 4xx error describing what in `body` made run() raise `exc`, or None for a genuine bug.

    `script` names the entry script in messages: they describe what it read, never an example
    of some other script's input."""
    if not body.strip() and isinstance(exc, ValueError):
        return BadRequest(
            f"The request body is empty; run() in {script} needs input "
            f"({type(exc).__name__}: {exc})."
        )
    if isinstance(exc, json.JSONDecodeError):
        return BadRequest(f"The request body is not valid JSON: {_describe_json_error(exc)}.")
    if not isinstance(
        exc, ValueError | TypeError | KeyError | IndexError | OverflowError | RecursionError
    ):
        return None
    try:
        document = json.loads(body)
    except json.JSONDecodeError:
        return None  # run() does not parse JSON (or not this way): nothing to say about it
    except (ValueError, RecursionError) as parse_error:
        if type(parse_error) is not type(exc):
            return None
        # Valid JSON syntax that Python's parser still refuses: too deep, or a huge integer.
        reason = "it is nested too deeply" if isinstance(exc, RecursionError) else str(exc)
        return BadRequest(f"The JSON body cannot be parsed: {reason}.")
    if isinstance(exc, KeyError) and isinstance(document, dict):
        return _missing_key(exc, document, script)
    if isinstance(document, list):
        problem = describe_rows_problem(document, expected_width, "the body")
        if problem and isinstance(exc, ValueError):
            return UnprocessableInput(f"{problem}.")
    if not isinstance(document, dict):
        if isinstance(exc, TypeError):
            return UnprocessableInput(
                f"The JSON body must be an object for run() in {script}, got {_kind(document)} "
                f"(TypeError: {exc})."
            )
        return None
    # Rows, under whatever name the script reads them: any list; and when the model complained
    # that it got no rows, the body's only value, whatever it is.
    rows_wanted = _SKLEARN_NOT_2D.search(str(exc)) is not None and len(document) == 1
    for key, value in document.items():
        if rows_wanted and isinstance(value, dict):
            # an object may be just what the script's own samples send (columns by name): say
            # what happened, not what the body should have been
            return UnprocessableInput(
                f"The model in {script} wanted rows (a 2D array) and was given the body's "
                f'"{key}", an object ({type(exc).__name__}: {exc}).'
            )
        if isinstance(value, list) or rows_wanted:
            problem = describe_rows_problem(value, expected_width, f'"{key}"')
            if problem:
                return UnprocessableInput(f"{problem}.")
    if _SKLEARN_1D in str(exc):
        return UnprocessableInput(
            "The model takes rows (a list of lists of numbers) and got a single flat list: "
            "wrap it in another list to send one row."
        )
    match = _SKLEARN_WIDTH.search(str(exc))
    if match:
        got, _, expected = match.groups()
        return UnprocessableInput(f"Each row has {got} values, the model expects {expected}.")
    return None


def _missing_key(exc: KeyError, document: dict[str, Any], script: str) -> ScorehostError | None:
    """run() looked up a key that is not there: in the body itself, or by a value the body
    gave (a model's name, say). A key the body has is no explanation: a bug."""
    missing = exc.args[0] if exc.args else None
    if not isinstance(missing, str) or missing in document:
        return None
    given_by = [key for key, value in document.items() if value == missing]
    if given_by:
        return UnprocessableInput(
            f"run() in {script} found nothing named {missing!r}, the body's {given_by[0]!r} "
            f"(KeyError: {missing!r})."
        )
    present = ", ".join(repr(key) for key in document) or "none"
    return UnprocessableInput(
        f"run() in {script} read the key {missing!r}, which the JSON body does not have (keys "
        f"present: {present})."
    )


def _describe_json_error(exc: json.JSONDecodeError) -> str:
    start = max(exc.pos - 20, 0)
    near = exc.doc[start : exc.pos + 20]
    return f"{exc.msg} at line {exc.lineno}, column {exc.colno} (char {exc.pos}), near {near!r}"


def _kind(value: Any) -> str:
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "a boolean"
    if isinstance(value, str):
        return f"the string {value[:40]!r}"
    if isinstance(value, int | float):
        return f"the number {value}"
    if isinstance(value, list):
        return f"a list of {len(value)} items"
    return "an object"


def describe_rows_problem(data: Any, expected_width: int | None, name: str) -> str | None:
    """What is wrong with `data` as a list of rows of numbers, or None if nothing is; `name`
    says what it is when the whole list is at fault."""
    if not isinstance(data, list):
        return f"{name} must be a list of rows, got {_kind(data)}"
    if not data:
        return f"{name} is an empty list; send at least one row"
    if not any(isinstance(item, list) for item in data):
        return _flat_list_problem(data, expected_width, name)
    width = expected_width
    for index, row in enumerate(data):
        if not isinstance(row, list):
            return f"row {index} is {_kind(row)}, expected a list of numbers"
        if not row:
            return f"row {index} is an empty list"
        for column, value in enumerate(row):
            problem = _problem_in_value(value)
            if problem:
                return f"row {index}, column {column} is {problem}"
        if width is None:
            width = len(row)
        if len(row) != width:
            reference = "the model expects" if expected_width is not None else "row 0 has"
            return f"row {index} has {len(row)} values, {reference} {width}"
    return None


def _flat_list_problem(data: list[Any], expected_width: int | None, name: str) -> str | None:
    """`data` holds no rows: a bad value in it is the problem, whatever shape run() wants."""
    for index, value in enumerate(data):
        problem = _problem_in_value(value)
        if problem:
            return f"item {index} of {name} is {problem}"
    if expected_width is None:
        return None  # a flat list of numbers may be just what the script takes
    return (
        f"{name} is a single flat list of {len(data)} numbers, but the model takes rows of "
        f"{expected_width} values; wrap it in another list to send one row"
    )


def _problem_in_value(value: Any) -> str | None:
    if isinstance(value, bool) or not isinstance(value, int | float):
        return f"{_kind(value)}; every value must be a number"
    if isinstance(value, int) and abs(value) > 1.7976931348623157e308:
        return "an integer too large for a 64-bit float"
    if isinstance(value, float) and not math.isfinite(value):
        return f"{value}; the model cannot score NaN or infinite values"
    return None
