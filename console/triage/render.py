"""The timeline and findings as text lines, for the CLI (the TUI lays them out itself)."""

from __future__ import annotations

from console.triage.model import OK, Finding, Timeline, WhyReport, iso

MARK = {"critical": "!!", "warning": "! ", "info": "  "}


def timeline_lines(timeline: Timeline, *, details: bool = True) -> list[str]:
    out = [
        f"timeline {iso(timeline.start)} .. {iso(timeline.end)}: {len(timeline.entries)} entries, {timeline.calls} calls"
    ]
    for e in timeline.entries:
        out.append(f"{iso(e.at)} {MARK.get(e.severity, '  ')} {e.kind:<13} {e.summary}")
        if details:
            out += [f"{'':>24}{line}" for line in e.detail[:12]]
    out += degraded_lines(timeline.notes)
    return out


def degraded_lines(notes: tuple) -> list[str]:  # type: ignore[type-arg]
    bad = [n for n in notes if n.state != OK]
    return [f"degraded: {n.line()}" for n in bad]


def finding_lines(f: Finding, index: int) -> list[str]:
    out = [f"{index}. [{f.severity}] {f.code}: {f.summary}"]
    out += [f"     {e.line()}" for e in f.evidence]
    out.append(f"     next: {f.next.line()}")
    return out


def why_lines(report: WhyReport) -> list[str]:
    where = f"{report.cluster}/{report.service} ({report.region}{', ' + report.account if report.account else ''})"
    if not report.findings:
        out = [f"{where}: nothing found that explains a failure ({report.calls} calls)"]
    else:
        out = [f"{where}: {len(report.findings)} finding(s), most explaining first ({report.calls} calls)"]
        for i, f in enumerate(report.findings, start=1):
            out += finding_lines(f, i)
    return out + degraded_lines(report.notes)
