"""The changes feed: the event log as a reader sees it."""
