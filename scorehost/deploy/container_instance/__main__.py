import sys

from scorehost.deploy.container_instance.cli import main

if __name__ == "__main__":
    sys.exit(main())
