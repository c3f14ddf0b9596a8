"""The Azure VM sizes Azure ML runs on, with their vCPUs and memory: the one table the online
endpoint and batch endpoint settings validate against and the capacity planner reads.

Sources:
- Managed online endpoints accept exactly the sizes of "Managed online endpoints SKU list"
  (Microsoft Learn, articles/machine-learning/reference-managed-online-endpoints-vm-sku-list.md
  in MicrosoftDocs/azure-ai-docs), which gives each size's cores; tests/deploy/data/ keeps a copy
  of that table and a test holds this one to it.
- Compute clusters (a batch endpoint's nodes) accept those and the other CPU series of "Supported
  VM series and sizes" (articles/machine-learning/concept-compute-target.md): Dv2, DSv2, Dv3,
  DSv3, DDSv4, EAv4, Ev3. Its GPU and HPC series are retired or need approval; scorehost's
  scikit-learn scoring has no use for them.
- Memory: each series' page under learn.microsoft.com/azure/virtual-machines/sizes.
"""

import difflib
from dataclasses import dataclass
from typing import Literal

Where = Literal["online endpoint", "compute cluster"]
ONLINE_SOURCE = "https://learn.microsoft.com/azure/machine-learning/reference-managed-online-endpoints-vm-sku-list"
CLUSTER_SOURCE = (
    "https://learn.microsoft.com/azure/machine-learning/concept-compute-target"
    "#supported-vm-series-and-sizes"
)


@dataclass(frozen=True)
class VmSize:
    name: str
    cores: int
    memory_gb: float
    online: bool
    """Managed online endpoints accept it (compute clusters accept every size here)."""


def _series(online: bool, *sizes: tuple[str, int, float]) -> tuple[VmSize, ...]:
    return tuple(VmSize(name, cores, memory, online) for name, cores, memory in sizes)


def _same_memory(names: str, table: tuple[tuple[int, float], ...]) -> list[tuple[str, int, float]]:
    """Sizes of series whose sizes differ only in name: names formatted with each core count."""
    return [(names.format(cores), cores, memory) for cores, memory in table]


_D_V4 = ((2, 8), (4, 16), (8, 32), (16, 64), (32, 128), (48, 192), (64, 256), (96, 384))
_D_V3 = _D_V4[:-1]
_E_V3 = ((2, 16), (4, 32), (8, 64), (16, 128), (20, 160), (32, 256), (48, 384), (64, 432))
_L = ((8, 64), (16, 128), (32, 256), (48, 384), (64, 512), (80, 640))
_DV2 = ((1, 1, 3.5), (2, 2, 7), (3, 4, 14), (4, 8, 28), (5, 16, 56))
_DV2_MEMORY = ((11, 2, 14), (12, 4, 28), (13, 8, 56), (14, 16, 112), (15, 20, 140))

SIZES: tuple[VmSize, ...] = (
    *_series(True, *_same_memory("Standard_D{}as_v4", _D_V4)),
    *_series(True, *_same_memory("Standard_D{}a_v4", _D_V4)),
    *_series(True, *((f"Standard_DS{n}_v2", cores, memory) for n, cores, memory in _DV2)),
    *_series(True, *_same_memory("Standard_E{}s_v3", _E_V3[:4] + _E_V3[5:])),
    *_series(
        True,
        *_same_memory(
            "Standard_F{}s_v2",
            ((2, 4), (4, 8), (8, 16), (16, 32), (32, 64), (48, 96), (64, 128), (72, 144)),
        ),
    ),
    *_series(
        True,
        *_same_memory("Standard_FX{}mds", ((4, 84), (12, 252), (24, 504), (36, 756), (48, 1008))),
    ),
    *_series(True, *_same_memory("Standard_L{}as_v3", _L)),
    *_series(True, *_same_memory("Standard_L{}s_v2", _L)),
    *_series(True, *_same_memory("Standard_L{}s_v3", _L)),
    *_series(
        True,
        ("Standard_NC24ads_A100_v4", 24, 220),
        ("Standard_NC48ads_A100_v4", 48, 440),
        ("Standard_NC96ads_A100_v4", 96, 880),
        ("Standard_NC4as_T4_v3", 4, 28),
        ("Standard_NC8as_T4_v3", 8, 56),
        ("Standard_NC16as_T4_v3", 16, 110),
        ("Standard_NC64as_T4_v3", 64, 440),
        ("Standard_NC6s_v2", 6, 112),
        ("Standard_NC12s_v2", 12, 224),
        ("Standard_NC24s_v2", 24, 448),
        ("Standard_NC6s_v3", 6, 112),
        ("Standard_NC12s_v3", 12, 224),
        ("Standard_NC24s_v3", 24, 448),
        ("Standard_NC40ads_H100_v5", 40, 320),
        ("Standard_NC80adis_H100_v5", 80, 640),
        ("Standard_ND96amsr_A100_v4", 96, 1900),
        ("Standard_ND96asr_v4", 96, 900),
        ("Standard_ND40rs_v2", 40, 672),
        ("Standard_ND96is_H100_v5", 96, 1900),
        ("Standard_ND96isr_H100_v5", 96, 1900),
        ("Standard_NV6ads_A10_v5", 6, 55),
        ("Standard_NV12ads_A10_v5", 12, 110),
        ("Standard_NV18ads_A10_v5", 18, 220),
        ("Standard_NV36ads_A10_v5", 36, 440),
        ("Standard_NV36adms_A10_v5", 36, 880),
        ("Standard_NV72ads_A10_v5", 72, 880),
    ),
    # compute clusters only
    *_series(False, *((f"Standard_D{n}_v2", cores, memory) for n, cores, memory in _DV2)),
    *_series(False, *((f"Standard_D{n}_v2", cores, memory) for n, cores, memory in _DV2_MEMORY)),
    *_series(False, *((f"Standard_DS{n}_v2", cores, memory) for n, cores, memory in _DV2_MEMORY)),
    *_series(False, *_same_memory("Standard_D{}_v3", _D_V3)),
    *_series(False, *_same_memory("Standard_D{}s_v3", _D_V3)),
    *_series(False, *_same_memory("Standard_D{}ds_v4", _D_V3)),
    *_series(False, *_same_memory("Standard_E{}a_v4", (*_E_V3[:-1], (64, 512), (96, 672)))),
    *_series(False, *_same_memory("Standard_E{}_v3", _E_V3)),
    *_series(False, ("Standard_E20s_v3", 20, 160)),
)
_BY_NAME = {size.name.upper(): size for size in SIZES}


def find(name: str) -> VmSize | None:
    """The size of that name, in any letter case (Azure's own list spells them in capitals)."""
    return _BY_NAME.get(name.upper())


def check(name: str, where: Where) -> str:
    """The size's name as Azure spells it, if `where` accepts it; else ValueError naming the
    nearest sizes and the list it came from."""
    size = find(name)
    accepted = [s for s in SIZES if s.online or where == "compute cluster"]
    if size is not None and size in accepted:
        return size.name
    names = {s.name.upper(): s.name for s in accepted}
    nearest = difflib.get_close_matches(name.upper(), names, n=3, cutoff=0.6)
    hint = f"; nearest: {', '.join(names[n] for n in nearest)}" if nearest else ""
    source = ONLINE_SOURCE if where == "online endpoint" else CLUSTER_SOURCE
    what = "a VM size" if size is None else "a compute cluster's VM size, but not one"
    raise ValueError(f"{name!r} is not {what} an Azure ML {where} runs on{hint} (sizes: {source})")
