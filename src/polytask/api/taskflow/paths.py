"""Where the TaskFlow surface is mounted (its declaration: api/taskflow/surface.py)."""

PREFIX = "/api"
LOGIN_PATH = f"{PREFIX}/auth/login"
