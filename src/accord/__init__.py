"""Accord: keeps what Sales sells in step with what Operations can deliver."""

__version__ = "0.1.0"
