"""How `scorehost serve` and its worker processes end, as process exit codes."""

OK = 0
CRASH_LOOP = 1  # workers kept dying: the supervisor gave up
USAGE = 2  # bad settings, entry script missing or not Python
SCRIPT_FAILED = 3  # the script failed to import, lacks init/run, or init() failed or hung
RECYCLE = 4  # (worker) a run() hung past its deadline: replace this worker
