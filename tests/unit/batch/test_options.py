"""The batch options a user gives, read as Azure ML reads them."""

from pathlib import Path

import pytest
from pydantic import ValidationError

from scorehost.batch.errors import BatchUsageError
from scorehost.batch.options import BatchOptions, MiniBatchSize


def _options(**values: object) -> BatchOptions:
    return BatchOptions(entry_script=Path("s.py"), input="in", output=Path("out"), **values)


@pytest.mark.parametrize(
    ("text", "count", "in_bytes"),
    [("10", 10, False), ("1024", 1024, False), ("10KB", 10240, True), ("2mb", 2 * 1024**2, True)],
)
def test_a_mini_batch_size_is_a_count_or_a_size(text: str, count: int, in_bytes: bool) -> None:
    assert MiniBatchSize.parse(text) == MiniBatchSize(count=count, in_bytes=in_bytes)


@pytest.mark.parametrize("text", ["0", "ten", "10 TB", "-1", ""])
def test_a_mini_batch_size_that_means_nothing_is_refused(text: str) -> None:
    with pytest.raises(ValidationError, match="give a number of files"):
        _options(mini_batch_size=text)


def test_defaults_are_azure_mls_ten_files_or_one_megabyte_of_table() -> None:
    options = _options()
    assert options.size(table=False) == MiniBatchSize(count=10, in_bytes=False)
    assert options.size(table=True) == MiniBatchSize(count=1024**2, in_bytes=True)


def test_a_bare_number_for_a_table_is_bytes_and_a_size_for_files_is_refused() -> None:
    assert _options(mini_batch_size="4096").size(table=True).count == 4096
    with pytest.raises(BatchUsageError, match="only tables take"):
        _options(mini_batch_size="1MB").size(table=False)


def test_error_threshold_below_minus_one_is_refused() -> None:
    with pytest.raises(ValidationError):
        _options(error_threshold=-2)


def test_the_rows_file_is_a_plain_name_inside_the_output_folder() -> None:
    with pytest.raises(ValidationError, match="plain file name"):
        _options(append_row_file_name="../rows.txt")


def test_local_processes_and_a_dask_cluster_do_not_mix() -> None:
    with pytest.raises(ValidationError, match="with --dask"):
        _options(dask="tcp://127.0.0.1:8786", process_count_per_node=4)


def test_v1_tries_and_v2_retries_cannot_both_be_given() -> None:
    with pytest.raises(ValueError, match="not both"):
        _options(run_max_try=2, max_retries=1)


def test_partition_keys_and_a_mini_batch_size_cannot_both_be_given() -> None:
    with pytest.raises(ValueError, match="Azure ML refuses both"):
        _options(partition_keys="store", mini_batch_size="10")


def test_the_defaults_of_a_v2_batch_deployment() -> None:
    options = _options(defaults="batch_deployment")
    assert (options.rows_file_name, options.tries, options.timeout_s, options.processes()) == (
        "predictions.csv",
        4,
        30,
        1,
    )
