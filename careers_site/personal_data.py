"""What each app stores about a person, by e-mail address: one registry, filled by the apps.

Apps register in their AppConfig.ready(), so `manage.py personal_data` covers every app without the
apps knowing one another.
"""

from collections.abc import Callable
from dataclasses import dataclass


@dataclass(frozen=True)
class PersonalDataProvider:
    name: str
    export: Callable[[str], object]  # e-mail -> JSON-serialisable data
    erase: Callable[[str], int]  # e-mail -> how many records were anonymised or deleted


_providers: dict[str, PersonalDataProvider] = {}


def register(name: str, *, export: Callable[[str], object], erase: Callable[[str], int]) -> None:
    _providers[name] = PersonalDataProvider(name=name, export=export, erase=erase)


def providers() -> list[PersonalDataProvider]:
    return [_providers[name] for name in sorted(_providers)]


def normalise_email(email: str) -> str:
    return email.strip().lower()
