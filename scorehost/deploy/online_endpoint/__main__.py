import sys

from scorehost.deploy.online_endpoint.cli import main

if __name__ == "__main__":
    sys.exit(main())
