"""Triage: what changed (the timeline) and why a service is failing (``why``'s findings).

``gather`` reads the AWS signals of one service concurrently with bounded calls; ``timeline``
and ``rules`` are pure functions over those signals, so every rule is tested with plain values.
Nothing here knows the demo: the rules read what AWS returns (stopped reasons, exit codes,
events, target health, alarm states, log lines, queue depths).
"""
