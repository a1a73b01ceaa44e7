"""The Taskforce API v1 surface at /api/v1: XML by default, JSON with `.json`, HTTP Basic."""
