"""The one table of VM sizes, held to Microsoft's published list, and what a user who mistypes
one is told."""

from pathlib import Path

import pytest

from scorehost.deploy.shared import vm_sizes

PUBLISHED = Path(__file__).parents[3] / "fixtures/azure/managed-online-endpoints-vm-sku-list.md"


def _published() -> dict[str, int]:
    """VM size name (in capitals, as Microsoft writes them) -> cores."""
    rows = [line.split("|") for line in PUBLISHED.read_text().splitlines() if "| STANDARD_" in line]
    return {cells[2].strip(): int(cells[6]) for cells in rows}


def test_online_endpoints_accept_exactly_microsofts_list_with_its_core_counts() -> None:
    ours = {size.name.upper(): size.cores for size in vm_sizes.SIZES if size.online}
    assert ours == _published()


def test_every_size_has_memory_in_proportion_to_its_series() -> None:
    # a series' pages give memory per vCPU; the table's rows stay between 1.75 and 30 GB per vCPU
    for size in vm_sizes.SIZES:
        assert 1.75 <= size.memory_gb / size.cores <= 30, size
    assert vm_sizes.find("Standard_F4s_v2") == vm_sizes.VmSize("Standard_F4s_v2", 4, 8, True)
    assert vm_sizes.find("STANDARD_E64S_V3").memory_gb == 432  # type: ignore[union-attr]


def test_names_are_matched_in_any_case_and_given_back_as_azure_spells_them() -> None:
    assert vm_sizes.check("standard_d4as_v4", "online endpoint") == "Standard_D4as_v4"


def test_a_mistyped_size_names_the_nearest_and_the_list() -> None:
    with pytest.raises(ValueError) as caught:
        vm_sizes.check("Standard_DS3_v9", "compute cluster")
    message = str(caught.value)
    assert "nearest: Standard_DS3_v2" in message
    assert "concept-compute-target" in message


def test_a_cluster_size_is_not_an_online_endpoints() -> None:
    assert vm_sizes.check("Standard_D4s_v3", "compute cluster") == "Standard_D4s_v3"
    with pytest.raises(ValueError, match="compute cluster's VM size, but not one an Azure ML "):
        vm_sizes.check("Standard_D4s_v3", "online endpoint")
