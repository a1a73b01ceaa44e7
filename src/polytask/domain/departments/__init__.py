"""Departments: a workspace's teams, each with an optional head; members belong to one."""
