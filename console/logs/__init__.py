"""Following and reading CloudWatch Logs: the follow engine, levels, time specs."""
