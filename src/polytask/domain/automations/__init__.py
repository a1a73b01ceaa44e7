"""Automations: a trigger, conditions and ordered actions, run by the worker from the event log."""
