"""Bulk operations: many tasks or projects in one request, all or none."""
