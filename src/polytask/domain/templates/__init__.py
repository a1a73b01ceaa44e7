"""Project templates: a workspace's reusable project structure, made from a project or written."""
