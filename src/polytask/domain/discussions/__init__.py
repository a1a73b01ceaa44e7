"""Project discussions: threads with messages and attached files."""
