"""Pick the image to deploy: the container's ECR tags, newest push first, with push time, size and digest.

The image the running revision names is marked, so a person sees what they move away from; the
digest beside every tag shows a tag moved to another build. Enter dismisses with what ``deploy
--image`` takes (the tag, or ``@sha256:…`` for an untagged image); the plan comes next.
"""

from __future__ import annotations

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.widgets import OptionList, Static
from textual.widgets.option_list import Option

from console.api.deploys import ContainerImages, EcrImage, size_text
from console.model import Service
from screens.format import aws


def image_spec(image: EcrImage) -> str:
    return image.tags[0] if image.tags else f"@{image.digest}"


def image_prompt(image: EcrImage, running: bool) -> Text:
    out = Text(end="")
    out.append_text(aws(", ".join(image.tags) or "(untagged)", "bold" if running else ""))
    pushed = image.pushed_at.strftime("%Y-%m-%d %H:%M UTC") if image.pushed_at else "push time ?"
    out.append(f"  {pushed}  {size_text(image.size_bytes):>9}  ", style="dim")
    out.append_text(aws(image.digest[:19] + "…"))
    if running:
        out.append("  (running)", style="green")
    return out


class ImagePickerScreen(ModalScreen[str | None]):
    """Dismisses with a tag (or ``@digest``) of the container's repository, or None."""

    DEFAULT_CSS = """
    ImagePickerScreen { align: center middle; background: $background 60%; }
    ImagePickerScreen > Vertical { width: 90%; max-width: 120; height: auto; max-height: 90%;
        border: round $accent; background: $surface; padding: 0 1; }
    ImagePickerScreen OptionList { height: auto; max-height: 16; }
    """
    BINDINGS = [Binding("escape", "cancel", "Cancel", id="images.cancel")]

    def __init__(self, service: Service, repo: ContainerImages) -> None:
        super().__init__()
        self.service = service
        self.repo = repo
        self.images = list(repo.images)
        running = repo.running
        self.running_digest = running.digest if running else ""

    def compose(self) -> ComposeResult:
        head = Text(end="")
        head.append("Deploy image to ", style="bold")
        head.append_text(aws(f"{self.service.cluster_name}/{self.service.name}", "bold"))
        head.append("  container ", style="dim")
        head.append_text(aws(self.repo.container))
        head.append("\n")
        head.append_text(aws(self.repo.where(), "dim"))
        head.append("  (enter: plan, esc: cancel)", style="dim")
        with Vertical():
            yield Static(head, id="image-head")
            if not self.images:
                yield Static("the repository holds no image", id="image-empty")
            yield OptionList(
                *(Option(image_prompt(i, i.digest == self.running_digest), id=i.key) for i in self.images),
                id="image-list",
            )

    def on_mount(self) -> None:
        options = self.query_one("#image-list", OptionList)
        if self.images:
            options.highlighted = 0
        options.focus()

    @on(OptionList.OptionSelected, "#image-list")
    def _selected(self, event: OptionList.OptionSelected) -> None:
        self.dismiss(image_spec(self.images[event.option_index]))

    def action_cancel(self) -> None:
        self.dismiss(None)
