"""The domain: one package per resource, domain/flows/ above them (docs/ARCHITECTURE.md).

Lower packages offer hooks that packages above them plug in here, so that they are plugged
in whichever domain module is imported first: every commit that recorded events fills the
webhook outbox, without domain/events/ (used by every resource) importing webhooks.
"""

from polytask.domain.automations.runner import queue_runs
from polytask.domain.events.service import fan_out_to
from polytask.domain.files.blobs import wake_on_deletions
from polytask.domain.webhooks.outbox import queue_deliveries

fan_out_to(queue_deliveries)
# A commit that deleted something may have deleted files by cascade: wake the blob reaper.
fan_out_to(wake_on_deletions)
# Event-triggered automations queue their runs in the same transaction (domain/automations/runner.py).
fan_out_to(queue_runs)
