"""`python -m polytask_client.cli`, the same as `polytask-cli`."""

from polytask_client.cli import main

main()
