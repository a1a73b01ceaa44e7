"""Bulk operations: many tasks in one request, all or none (many projects: flows/projects.py)."""
