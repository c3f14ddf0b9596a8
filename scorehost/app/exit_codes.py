"""Every exit code of every scorehost command, in one table. A number may mean one thing for
`serve` and another for `deploy`; each name says which."""

OK = 0
FAILED = 1  # the work failed: a batch run stopped, a download or build failed; or a scorehost bug
CRASH_LOOP = 1  # serve: workers kept dying, the supervisor gave up
USAGE = 2  # bad settings, arguments or input, named in one line (an optional extra missing too)
SCRIPT_FAILED = 3  # serve: the script failed to import, lacks init/run, or init() failed or hung
DEPLOY_FAILED = 3  # deploy: Azure refused or failed (its reason, the container's last log lines)
RECYCLE = 4  # serve, a worker process: a run() hung past its deadline; the supervisor replaces it
RECYCLE_MEMORY = 5  # serve, a worker process: its memory passed its share; replaced likewise
SMOKE_TEST_FAILED = 4  # deploy: the service failed its smoke test (an online rollout rolled back)
INTERRUPTED = 130  # Ctrl-C, as a shell reports SIGINT
