"""Fill a Polytask server's database with plausible TaskFlow data (taskflow-pro-api.md):

    .venv/bin/python scripts/generate_test_data.py --projects 10 --tasks 50 --users 20

The work is polytask.cli.testdata's; `--help` lists the options.
"""

import sys

from polytask.cli.testdata import main

if __name__ == "__main__":
    sys.exit(main())
