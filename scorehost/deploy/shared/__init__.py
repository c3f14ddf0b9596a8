"""What every deploy target shares, one job per module: errors and exit codes, TOML settings,
flags, credentials, the image push, smoke tests, waits on Azure, and the dry-run transport."""
