"""Static files: hashed, compressed names once ``collectstatic`` has run; plain names before.

A production image runs ``collectstatic`` and gets far-future cacheable names. A
bare ``DEBUG=false runserver`` on a fresh checkout has no manifest yet: rather
than a 500 on every page, it links the plain names, which WhiteNoise serves
from the app directories (``WHITENOISE_USE_FINDERS``).
"""

from __future__ import annotations

from whitenoise.storage import CompressedManifestStaticFilesStorage


class StaticFilesStorage(CompressedManifestStaticFilesStorage):
    manifest_strict = False

    def hashed_name(self, name, content=None, filename=None):
        try:
            return super().hashed_name(name, content, filename)
        except ValueError:  # not collected yet
            return name
