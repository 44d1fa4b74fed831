from datetime import timedelta

from django import template

register = template.Library()


@register.filter
def duration_hours(value: timedelta | None) -> str:
    """A wait as coaches say it: "42 min" under an hour, "3.5 h" under two days, "2.1 days"."""
    if value is None:
        return "-"
    minutes = value.total_seconds() / 60
    if minutes < 60:
        return f"{max(round(minutes), 0)} min"
    hours = minutes / 60
    return f"{hours:.1f} h" if hours < 48 else f"{hours / 24:.1f} days"


@register.filter
def minutes(value: int) -> str:
    """A target in minutes as people say it: "45 minutes", "1 hour", "1 h 30 min"."""
    hours, rest = divmod(int(value), 60)
    if not hours:
        return f"{rest} minutes"
    if not rest:
        return f"{hours} hour{'s' if hours > 1 else ''}"
    return f"{hours} h {rest} min"
