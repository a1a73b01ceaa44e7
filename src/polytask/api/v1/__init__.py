"""The native API, after the Taskade developer API: JSON:API documents under /v1."""
