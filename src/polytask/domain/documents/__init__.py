"""Documents: a workspace's files with a title, description and category, optionally
linked to a project; kept as stored_files rows of kind 'document' (domain/files)."""
