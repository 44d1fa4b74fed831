from datetime import timedelta

from django import template

register = template.Library()


@register.filter
def duration_hours(value: timedelta | None) -> str:
    """A wait as coaches say it: "3.5 h" under two days, "2.1 days" beyond."""
    if value is None:
        return "-"
    hours = value.total_seconds() / 3600
    return f"{hours:.1f} h" if hours < 48 else f"{hours / 24:.1f} days"
