"""Task lists: a user's named, ordered lists of tasks (the Taskforce model), shared by email."""
