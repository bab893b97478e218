"""Env vars of a task definition: .env parsing, diffs, new revisions, masking."""
