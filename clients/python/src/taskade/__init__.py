"""`taskade`: the import name the Taskade documents use for their Python SDK; the same
objects as `polytask_client`."""

from polytask_client import *  # noqa: F403
from polytask_client import __all__ as __all__
from polytask_client import __version__ as __version__
from polytask_client import webhooks as webhooks
