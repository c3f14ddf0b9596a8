import sys

from deploy.online_endpoint.cli import main

if __name__ == "__main__":
    sys.exit(main())
