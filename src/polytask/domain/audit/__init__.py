"""The audit log and project activity: reading the event log by workspace, server and project."""
