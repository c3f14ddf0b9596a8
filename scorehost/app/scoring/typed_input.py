"""Azure ML's typed contract: a run() decorated with inference-schema's @input_schema gets its
body parsed once, here, and each parameter passed as the decoded value (numpy arrays built
directly, checked against the sample's shape and dtype)."""

import inspect
import io
import json
import sys
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import numpy as np
import numpy.typing as npt
import orjson

from scorehost.app.errors import BadRequest, UnprocessableInput, UnsupportedMediaType
from scorehost.app.scoring.diagnose import describe_rows_problem

NPY_MEDIA_TYPE = "application/x-npy"
SWAGGER_VERSIONS = ("2.0", "3.0", "3.1")
_DTYPES: dict[tuple[str, str | None], type[np.generic]] = {
    ("number", "double"): np.float64,
    ("number", "float"): np.float32,
    ("integer", "int64"): np.int64,
    ("integer", "int32"): np.int32,
    ("integer", "int16"): np.int16,
    ("integer", "int8"): np.int8,
    ("integer", "uint8"): np.uint8,
    ("boolean", None): np.bool_,
}


@dataclass(frozen=True)
class TypedParameter:
    name: str
    required: bool
    dtype: np.dtype[Any] | None = None  # numpy parameters: the sample's element type
    shape: tuple[int, ...] | None = None  # numpy parameters: the sample's shape
    default: Any = None  # what run() declares for a parameter the body may leave out

    @property
    def is_array(self) -> bool:
        return self.shape is not None

    def expected_shape(self) -> str:
        assert self.shape is not None
        return "(" + ", ".join(["n", *map(str, self.shape[1:])]) + ")"


def _leaf(schema: dict[str, Any]) -> dict[str, Any]:
    while schema.get("type") == "array" and isinstance(schema.get("items"), dict):
        schema = schema["items"]
    return schema


def parameters_from(input_schema: dict[str, Any], defaults: dict[str, Any]) -> list[TypedParameter]:
    """run()'s parameters (name -> its default, `inspect.Parameter.empty` if required), each
    with what its schema says; the schema's own names for parameters run() takes via kwargs."""
    example = input_schema.get("example", {})
    properties: dict[str, Any] = input_schema.get("properties", {})
    parameters = []
    for name in [*defaults, *(name for name in properties if name not in defaults)]:
        default = defaults.get(name, inspect.Parameter.empty)
        required = default is inspect.Parameter.empty
        default = None if required else default
        schema = properties.get(name, {})
        if schema.get("format") == "numpy.ndarray" and name in example:
            leaf = _leaf(schema)
            dtype = _DTYPES.get((leaf.get("type", ""), leaf.get("format")))
            shape = np.asarray(example[name]).shape
            numpy_dtype = np.dtype(dtype) if dtype else None
            parameters.append(TypedParameter(name, required, numpy_dtype, shape, default))
        else:
            parameters.append(TypedParameter(name, required, default=default))
    return parameters


def typed_input_of(run_function: Callable[..., Any]) -> "TypedInput | None":
    """How to decode bodies for run(), if inference-schema's @input_schema decorates it."""
    if "inference_schema" not in sys.modules:
        return None  # the script did not import it, so run() cannot be decorated with it
    from inference_schema.schema_util import (
        get_input_schema,
        get_output_schema,
        get_supported_versions,
        is_schema_decorated,
    )

    # inference-schema registers schemas by module and function name, and Azure ML's name for
    # every entry script is the same: only a run() that is itself wrapped can be decorated.
    if not hasattr(run_function, "__wrapped__") or not is_schema_decorated(run_function):
        return None
    schema: dict[str, Any] = get_input_schema(run_function)
    defaults = {
        name: parameter.default
        for name, parameter in inspect.signature(run_function).parameters.items()
        if name != "request_headers"
    }
    output: dict[str, Any] | None = get_output_schema(run_function) or None
    versions = tuple(get_supported_versions(run_function))
    return TypedInput(parameters_from(schema, defaults), schema, output, versions)


def _read_npy(body: bytes) -> npt.NDArray[Any]:
    """The array in a .npy body, its header checked against the bytes that follow it first:
    a header may declare terabytes that a small body does not hold."""
    stream = io.BytesIO(body)
    try:
        version = np.lib.format.read_magic(stream)
        read_header = (
            np.lib.format.read_array_header_1_0
            if version == (1, 0)
            else np.lib.format.read_array_header_2_0
        )
        shape, _, dtype = read_header(stream)
        if dtype.hasobject:
            raise ValueError("object arrays need pickle, which is refused")
    except (ValueError, OSError, EOFError) as exc:
        raise BadRequest(f"The body is not a valid .npy array: {exc}.") from None
    declared = int(np.prod(shape, dtype=np.float64)) * dtype.itemsize
    carried = len(body) - stream.tell()
    if declared != carried:
        raise UnprocessableInput(
            f"The .npy header declares shape {shape} of {dtype} ({declared:,} bytes), but the "
            f"body carries {carried:,} bytes of data."
        )
    if not shape or shape[0] == 0:
        raise UnprocessableInput(f"The .npy array has shape {shape}: send at least one row.")
    return np.load(io.BytesIO(body), allow_pickle=False)  # type: ignore[no-any-return]


def is_npy(content_type: str) -> bool:
    return content_type.split(";")[0].strip().lower() == NPY_MEDIA_TYPE


def _python_json(body: bytes, orjson_error: orjson.JSONDecodeError) -> Any:
    """What orjson refuses and Python's json reads, as Azure ML's server (Flask's json) reads it:
    NaN, Infinity and -Infinity, integers past 64 bits. Anything else is the caller's 400."""
    try:
        return json.loads(body)
    except RecursionError:
        raise BadRequest("The request body is JSON nested too deeply to read.") from None
    except ValueError:  # JSONDecodeError and undecodable bytes: orjson's message says where
        raise BadRequest(f"The request body is not valid JSON: {orjson_error}.") from None


class TypedInput:
    """How to decode bodies for a typed run(); its schemas (read once) for the OpenAPI document."""

    def __init__(
        self,
        parameters: list[TypedParameter],
        input_schema: dict[str, Any] | None = None,
        output_schema: dict[str, Any] | None = None,
        swagger_versions: tuple[str, ...] = SWAGGER_VERSIONS,
    ) -> None:
        self.parameters = parameters
        self.input_schema = input_schema
        self.output_schema = output_schema
        # Swagger 2.0 cannot describe every schema (a list of mixed types): inference-schema
        # says which versions these schemas fit.
        self.swagger_versions = swagger_versions

    def decode(self, body: bytes, content_type: str) -> dict[str, Any]:
        if is_npy(content_type):
            return self._from_npy(body)
        return self._from_json(body)

    def _from_json(self, body: bytes) -> dict[str, Any]:
        if not body.strip():
            raise BadRequest(f"The request body is empty. Send a JSON object with {self._keys()}.")
        try:
            document = orjson.loads(body)
        except orjson.JSONDecodeError as exc:
            document = _python_json(body, exc)
        if not isinstance(document, dict):
            raise UnprocessableInput(f"The JSON body must be an object with {self._keys()}.")
        return self.from_document(document, "The JSON body")

    def from_document(self, document: dict[str, Any], source: str) -> dict[str, Any]:
        """Each parameter's value from `document` (a JSON body, or a GET query made into one),
        or its default as run() declares it; `source` names the document in messages."""
        values = {}
        for parameter in self.parameters:
            if parameter.name in document:
                values[parameter.name] = self._convert(parameter, document[parameter.name])
            elif parameter.required:
                present = ", ".join(repr(key) for key in document) or "none"
                raise UnprocessableInput(
                    f"{source} has no {parameter.name!r} (keys present: {present}); "
                    f"send {self._keys()}."
                )
            else:
                values[parameter.name] = parameter.default
        return values

    def _from_npy(self, body: bytes) -> dict[str, Any]:
        arrays = [parameter for parameter in self.parameters if parameter.is_array]
        if len(arrays) != 1 or any(p.required for p in self.parameters if not p.is_array):
            raise UnsupportedMediaType(
                f"{NPY_MEDIA_TYPE} bodies need a run() with exactly one numpy input; "
                f"this one takes {self._keys()}: send JSON."
            )
        return {arrays[0].name: self._check(arrays[0], _read_npy(body))}

    def _convert(self, parameter: TypedParameter, value: Any) -> Any:
        if not parameter.is_array:
            return value
        try:
            array = np.asarray(value, dtype=parameter.dtype)
        except (ValueError, TypeError, OverflowError):
            width = parameter.shape[-1] if parameter.shape and len(parameter.shape) == 2 else None
            problem = describe_rows_problem(value, width, repr(parameter.name))
            problem = problem or "its values do not form an array"
            raise UnprocessableInput(
                f"{parameter.name!r}: {problem} (expected a {parameter.expected_shape()} array "
                f"of {parameter.dtype or 'values'})."
            ) from None
        return self._check(parameter, array)

    def _check(self, parameter: TypedParameter, array: npt.NDArray[Any]) -> npt.NDArray[Any]:
        assert parameter.shape is not None
        if array.ndim != len(parameter.shape) or array.shape[1:] != parameter.shape[1:]:
            expected = parameter.expected_shape()
            raise UnprocessableInput(
                f"{parameter.name!r} has shape {array.shape}; expected {expected}."
            )
        if parameter.dtype is not None and array.dtype != parameter.dtype:
            if not np.can_cast(array.dtype, parameter.dtype, casting="same_kind"):
                raise UnprocessableInput(
                    f"{parameter.name!r} has dtype {array.dtype}; expected {parameter.dtype}."
                )
            array = array.astype(parameter.dtype)
        return array

    def non_finite(self, values: dict[str, Any]) -> str | None:
        """The first array parameter holding NaN or infinity: what a failing run() may mean."""
        for name, value in values.items():
            if (
                isinstance(value, np.ndarray)
                and value.dtype.kind == "f"
                and not np.isfinite(value).all()
            ):
                return name
        return None

    def _keys(self) -> str:
        return "keys " + ", ".join(
            f"{p.name!r}" + (f" {p.expected_shape()}" if p.is_array else "")
            for p in self.parameters
        )
