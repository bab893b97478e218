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
from textual.widgets import OptionList, Static
from textual.widgets.option_list import Option

from console.api.deploys import ContainerImages, EcrImage, size_text
from console.model import Service
from screens.format import aws
from screens.modals.picker import PickerScreen


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


class ImagePickerScreen(PickerScreen):
    """Dismisses with a tag (or ``@digest``) of the container's repository, or None."""

    DEFAULT_CSS = """
    ImagePickerScreen OptionList { height: auto; max-height: 16; }
    """
    BINDINGS = [Binding("escape", "cancel", "Cancel", id="images.cancel")]

    def __init__(self, service: Service, repo: ContainerImages) -> None:
        super().__init__(service)
        self.repo = repo
        self.images = list(repo.images)
        running = repo.running
        self.running_digest = running.digest if running else ""

    def compose(self) -> ComposeResult:
        head = self.head("image")
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
        self.focus_list(0 if self.images else None)

    @on(OptionList.OptionSelected, "#image-list")
    def _selected(self, event: OptionList.OptionSelected) -> None:
        self.dismiss(image_spec(self.images[event.option_index]))
