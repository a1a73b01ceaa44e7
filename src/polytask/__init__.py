"""Polytask: a self-hosted work-management server whose product is its API."""

__version__ = "0.1.0"
