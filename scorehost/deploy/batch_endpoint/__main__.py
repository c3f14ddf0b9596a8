import sys

from scorehost.deploy.batch_endpoint.cli import main

if __name__ == "__main__":
    sys.exit(main())
