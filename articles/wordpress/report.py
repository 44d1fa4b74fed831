"""What an import did: counts per kind and action, and every item skipped or changed, and why."""

from collections import Counter
from dataclasses import dataclass, field


@dataclass
class ImportReport:
    dry_run: bool = False
    counts: Counter = field(default_factory=Counter)  # (kind, action) -> number
    notes: list[str] = field(default_factory=list)

    def count(self, kind: str, action: str) -> None:
        self.counts[(kind, action)] += 1

    def note(self, kind: str, wp_id: str, title: str, reason: str) -> None:
        label = f"“{title}”" if title else "(untitled)"
        self.notes.append(f"{kind} {wp_id} {label}: {reason}")

    def skip(self, kind: str, wp_id: str, title: str, reason: str) -> None:
        self.count(kind, "skipped")
        self.note(kind, wp_id, title, f"skipped: {reason}")

    def lines(self) -> list[str]:
        """A line of counts per kind (the four actions, and any other one that happened), then
        the notes, in the order of the file."""
        kinds = sorted({kind for kind, _ in self.counts})
        actions = ["created", "updated", "unchanged", "skipped"]
        actions += sorted({action for _, action in self.counts} - set(actions))
        lines = [
            f"{kind}: "
            + ", ".join(
                f"{self.counts[(kind, action)]} {action}"
                for action in actions
                if action in actions[:4] or self.counts[(kind, action)]
            )
            for kind in kinds
        ]
        return lines + self.notes


def error_reason(error: Exception) -> str:
    """A validation error's messages, or the error's text: what the report says of a skip."""
    messages = getattr(error, "messages", None) or [str(error)]
    return "; ".join(messages) or type(error).__name__
