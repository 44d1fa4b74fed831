"""Static files for production: WhiteNoise's compressed, hashed files, with each file's address
worked out once per process."""

from whitenoise.storage import CompressedManifestStaticFilesStorage


class StaticFilesStorage(CompressedManifestStaticFilesStorage):
    """`{% static %}` looks the hashed name up in the manifest and joins it to STATIC_URL on every
    call (about 40 µs, several times per page); the manifest is read once at start-up and does
    not change while the process runs, so each answer is kept."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self._urls: dict[tuple[str, bool], str] = {}

    def url(self, name, force=False):
        try:
            return self._urls[name, force]
        except KeyError:
            url = self._urls[name, force] = super().url(name, force)
            return url
