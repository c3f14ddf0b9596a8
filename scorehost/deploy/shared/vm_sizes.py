"""The Azure VM sizes people pick for CPU inference: the one table the capacity planner and the
online endpoint's defaults read (vCPUs decide scorehost's worker count: one per vCPU)."""

from dataclasses import dataclass


@dataclass(frozen=True)
class VmSize:
    cores: int
    memory_gb: float


VM_SIZES = {
    "Standard_DS2_v2": VmSize(cores=2, memory_gb=7),
    "Standard_DS3_v2": VmSize(cores=4, memory_gb=14),
    "Standard_DS4_v2": VmSize(cores=8, memory_gb=28),
    "Standard_DS5_v2": VmSize(cores=16, memory_gb=56),
    "Standard_F2s_v2": VmSize(cores=2, memory_gb=4),
    "Standard_F4s_v2": VmSize(cores=4, memory_gb=8),
    "Standard_F8s_v2": VmSize(cores=8, memory_gb=16),
    "Standard_F16s_v2": VmSize(cores=16, memory_gb=32),
    "Standard_F32s_v2": VmSize(cores=32, memory_gb=64),
    "Standard_E2s_v3": VmSize(cores=2, memory_gb=16),
    "Standard_E4s_v3": VmSize(cores=4, memory_gb=32),
    "Standard_E8s_v3": VmSize(cores=8, memory_gb=64),
}
