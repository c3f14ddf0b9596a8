"""AZUREML_DEBUG_PORT: each worker connects to the debugger listening on this machine's port
(VS Code's "attach, listen" configuration) and waits for it before loading the script, as Azure
ML's server does, so breakpoints in init() are hit. Never in production."""

import logging

log = logging.getLogger("scorehost")


def attach(port: int) -> None:
    import debugpy  # the `debug` extra; serve checked it is there

    log.warning("Debugging mode (AZUREML_DEBUG_PORT): connecting to the debugger on port %d", port)
    debugpy.connect(port)
    debugpy.wait_for_client()
    log.info("Debugger attached")
