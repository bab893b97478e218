"""Reusable widgets: the keyed table, the status line, the top bar."""
