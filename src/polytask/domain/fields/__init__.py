"""Custom fields (definitions per project or workspace, typed values on tasks) and saved views."""
