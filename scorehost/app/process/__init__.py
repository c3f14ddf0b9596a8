"""The serving process: a supervisor forking uvicorn workers on one socket, logging, exit codes."""
