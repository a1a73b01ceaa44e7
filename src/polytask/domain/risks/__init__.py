"""Risks on projects and their lifecycle: active, mitigated, closed, occurred."""
