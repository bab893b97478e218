"""A task definition's container, as a block of inert text (values of secret-looking keys masked)."""

from __future__ import annotations

from rich.text import Text

from console.env.secrets_mask import is_secret_key, mask
from console.model import ContainerDefinition
from screens.format import Presenter, aws


def container_block(c: ContainerDefinition, *, reveal: bool, present: Presenter) -> Text:
    out = Text(end="")
    out.append("▸ ", style="bold")
    out.append_text(aws(c.name, "bold"))
    out.append("  ")
    out.append_text(aws(c.image, "cyan"))
    out.append("\n  cpu ")
    out.append(str(c.cpu or "-"))
    out.append("  memory ")
    out.append(str(c.memory or "-"))
    out.append("  ports ")
    out.append(", ".join(str(p) for p in c.ports) or "-")
    out.append("  essential" if c.essential else "  not essential", style="dim")
    if c.health_check:
        out.append("\n  health check: ", style="dim")
        out.append_text(aws(" ".join(c.health_check)))
    if c.log_driver:
        out.append("\n  logs: ", style="dim")
        out.append_text(
            aws(f"{c.log_driver} {c.log_option('awslogs-group')} {c.log_option('awslogs-stream-prefix')}")
        )
    if c.environment:
        out.append("\n  env:", style="dim")
        for env in c.environment:
            secret = is_secret_key(env.name, env.value)
            value = env.value if reveal or not secret else mask(env.value)
            out.append("\n    ")
            out.append_text(aws(env.name, "bold"))
            out.append("=")
            out.append_text(aws(value, "yellow" if secret else ""))
            if secret and not reveal:
                out.append("  (masked: v shows)", style="dim")
    if c.secrets:
        out.append("\n  secrets (valueFrom only):", style="dim")
        for ref in c.secrets:
            out.append("\n    ")
            out.append_text(aws(ref.name, "bold"))
            out.append(" ← ", style="dim")
            out.append_text(aws(present.ident(ref.value_from)))
    if c.environment_files:
        out.append("\n  environment files: ", style="dim")
        out.append_text(aws(", ".join(c.environment_files)))
    return out
