import sys

from scorehost.deploy.azureml_v1.cli import main

if __name__ == "__main__":
    sys.exit(main("aci"))
