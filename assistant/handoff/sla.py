"""Service-level deadlines of a ticket: when it must be 受理 and when 办结, from settings."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta

from assistant.handoff.lifecycle import Category, Priority
from assistant.settings import Settings


@dataclass(frozen=True)
class SlaPolicy:
    """Hours to accept by priority and to resolve by category; missing entries use ``default_hours``."""

    accept_hours: dict[str, float] = field(default_factory=dict)
    resolve_hours: dict[str, float] = field(default_factory=dict)
    default_hours: float = 24.0

    @classmethod
    def from_settings(cls, settings: Settings) -> SlaPolicy:
        return cls(
            dict(settings.handoff_accept_sla_hours),
            dict(settings.handoff_resolve_sla_hours),
            settings.handoff_default_sla_hours,
        )

    def accept_due(self, created_at: datetime, priority: Priority) -> datetime:
        """When a ticket created at ``created_at`` must have been 受理."""
        return created_at + timedelta(hours=self.accept_hours.get(priority.key, self.default_hours))

    def resolve_due(self, created_at: datetime, category: Category, priority: Priority) -> datetime:
        """When it must be 办结: the category's time limit, never earlier than the accept deadline."""
        hours = self.resolve_hours.get(category.value, self.default_hours)
        return max(created_at + timedelta(hours=hours), self.accept_due(created_at, priority))
