"""Blue/green: create (or reuse) the endpoint, add the deployment at 0%, test it, move traffic
over step by step, and put traffic back as it was if any check fails."""

import sys
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from scorehost.app import exit_codes
from scorehost.deploy.online_endpoint.config import OnlineEndpointConfig
from scorehost.deploy.shared.errors import ConfigError

Smoke = Callable[[str | None], str | None]  # deployment (None: the endpoint) -> problem or None


def shifted(live: dict[str, int], new: str, percent: int) -> dict[str, int]:
    """`new` gets `percent`; the rest is shared by the live deployments as they shared it."""
    total = sum(live.values())
    rest = 100 - percent
    shares = {name: rest * value / total for name, value in live.items()}
    traffic = {name: int(share) for name, share in shares.items()}
    for name in sorted(shares, key=lambda n: shares[n] - traffic[n], reverse=True):
        if sum(traffic.values()) == rest:
            break
        traffic[name] += 1
    return {**traffic, new: percent}


@dataclass(frozen=True)
class Found:
    """The endpoint as Azure has it before the rollout (None: not created yet) and the
    deployments taking traffic from it."""

    endpoint: Any | None
    live: dict[str, int]


@dataclass
class Rollout:
    """Create (or reuse) the endpoint, add the deployment at 0%, test it, move traffic over.
    `check()` reads first, so a mistake stops the command before the image is pushed."""

    azure: Any  # scorehost.deploy.online_endpoint.azure.OnlineEndpoints
    config: OnlineEndpointConfig
    smoke: Smoke
    wait: Callable[[float], None] = time.sleep
    say: Callable[[str], None] = lambda line: print(line, file=sys.stderr)

    def check(self) -> Found:
        """Reads only (the workspace, the credentials, the endpoint): the deployment name must
        not be one that takes traffic."""
        config = self.config
        endpoint = self.azure.get_endpoint(config.endpoint_name)
        traffic = (endpoint.traffic or {}) if endpoint is not None else {}
        live = {name: share for name, share in traffic.items() if share > 0}
        if config.deployment_name in live:
            raise ConfigError(
                f"deployment_name: {config.deployment_name} serves {live[config.deployment_name]}%"
                f" of {config.endpoint_name}; deploy the new image as another deployment "
                "(e.g. --deployment-name green) so traffic can move over, and back if need be"
            )
        found = f"serves {live}" if live else "takes no traffic" if endpoint else "is new"
        self.say(
            f"checked: endpoint {config.endpoint_name} {found}; deployment "
            f"{config.deployment_name} is free to create"
        )
        return Found(endpoint, live)

    def run(self, image_ref: str, found: Found) -> int:
        config, azure, live = self.config, self.azure, found.live
        environment_id = azure.register_environment(config, image_ref)
        endpoint = found.endpoint
        if endpoint is None:
            self.say(f"creating endpoint {config.endpoint_name}")
            endpoint = azure.create_endpoint(config, config.timeout_s)
        self.say(
            f"creating deployment {config.deployment_name} ({config.instance_count} x "
            f"{config.instance_type}) at 0% traffic"
        )
        deployment = azure.create_deployment(config, environment_id, config.timeout_s)
        if config.autoscale:
            azure.set_autoscale(config, deployment, endpoint)
        problem = self.smoke(config.deployment_name)
        if problem:
            return self._roll_back(live, f"{config.deployment_name} alone: {problem}")
        steps = config.traffic_steps if live else [100]
        for percent in steps:
            traffic = (
                shifted(live, config.deployment_name, percent)
                if live
                else {config.deployment_name: 100}
            )
            self.say(f"traffic {traffic}")
            azure.set_traffic(config.endpoint_name, traffic, config.timeout_s)
            if percent < 100:
                self.wait(config.step_wait_s)
            problem = self.smoke(None) or self.smoke(config.deployment_name)
            if problem:
                return self._roll_back(live, f"at {percent}%: {problem}")
        for name in live:
            self.say(
                f"{name} now takes no traffic; once you are sure, remove it: "
                f"scorehost deploy online_endpoint delete --deployment-name {name}"
            )
        return 0

    def _roll_back(self, live: dict[str, int], problem: str) -> int:
        config = self.config
        self.say(f"smoke test failed {problem}; traffic back to {live or 'none'}")
        self.azure.set_traffic(config.endpoint_name, live, config.timeout_s)
        if config.delete_on_rollback:
            self.azure.delete_deployment(config, config.deployment_name, config.timeout_s)
        return exit_codes.SMOKE_TEST_FAILED
