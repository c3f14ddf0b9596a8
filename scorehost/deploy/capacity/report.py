"""A capacity plan as data (for --json) and as the table `scorehost capacity` prints."""

from dataclasses import asdict
from typing import Any

from scorehost.deploy.capacity.plan import Measured, Option


def report(measured: Measured, rps: float, p99_ms: float, options: list[Option]) -> dict[str, Any]:
    return {
        "target": {"rps": rps, "p99_ms": p99_ms},
        "measured": {
            **asdict(measured),
            "core_rps": round(measured.core_rps, 1),
            "cpu_ms_per_request": round(measured.cpu_ms_per_request, 2),
        },
        "options": [asdict(option) for option in options],
    }


def render(data: dict[str, Any]) -> str:
    measured, target = data["measured"], data["target"]
    lines = [
        f"Target: {target['rps']:g} requests/s, p99 <= {target['p99_ms']:g} ms",
        f"Measured ({measured['profile']}, {measured['machine']}, {measured['date'][:10]}): "
        f"{measured['core_rps']} requests/s per core at p99 {measured['p99_ms']:g} ms, "
        f"{measured['cpu_ms_per_request']} ms CPU per request, {measured['rss_mb']:.0f} MB per "
        "worker",
        "",
        f"{'target':<18} {'size':<32} {'replicas':>8} {'autoscale':>10} {'vCPU':>5} "
        f"{'req/s each':>10} {'core-h/month':>12}",
    ]
    for option in data["options"]:
        if not option["fits"]:
            lines.append(
                f"{option['target']:<18} {option['size']:<32} does not fit: {option['why_not']}"
            )
            continue
        autoscale = f"{option['autoscale_min']}-{option['autoscale_max']}"
        lines.append(
            f"{option['target']:<18} {option['size']:<32} {option['replicas']:>8} "
            f"{autoscale:>10} {option['cores_total']:>5} {option['rps_per_replica']:>10} "
            f"{option['core_hours_per_month']:>12}"
        )
    lines += ["", "Cost drivers (price them for your region in the Azure pricing calculator):"]
    drivers = {option["target"]: option["cost_drivers"] for option in data["options"]}
    lines += [f"  {target}: {driver}" for target, driver in drivers.items()]
    lines.append("Check the plan with a load test of one replica before you buy it.")
    return "\n".join(lines)
