"""``Authorization: Bearer <token>`` for the API. Tokens are stored as SHA-256 hashes."""

from __future__ import annotations

from datetime import timedelta

from django.utils import timezone
from rest_framework import authentication, exceptions

from accounts.compiled import CompiledRead
from accounts.models import ApiToken, hash_token

# last_used_at is a hint, not an audit trail: write it at most once a minute.
LAST_USED_RESOLUTION = timedelta(minutes=1)


def _token(shape, *, token_hash: str):
    tokens = ApiToken.objects.select_related("user").filter(token_hash=token_hash)
    return tokens.order_by()[:1]  # a unique key: no ORDER BY to build


# Read on every API request: compiled once (accounts/compiled.py).
_TOKEN = CompiledRead(_token)


class BearerTokenAuthentication(authentication.BaseAuthentication):
    keyword = "Bearer"

    def authenticate(self, request):
        header = authentication.get_authorization_header(request).split()
        if not header or header[0].lower() != self.keyword.lower().encode():
            return None
        if len(header) != 2:
            raise exceptions.AuthenticationFailed("Invalid bearer header: give exactly one token.")
        try:
            raw = header[1].decode()
        except UnicodeError:
            raise exceptions.AuthenticationFailed("Invalid token.") from None
        token = _TOKEN.first(token_hash=hash_token(raw))
        now = timezone.now()
        if token is None or not token.user.is_active or token.expires_at <= now:
            raise exceptions.AuthenticationFailed("Invalid, expired or revoked token.")
        if token.last_used_at is None or now - token.last_used_at > LAST_USED_RESOLUTION:
            ApiToken.objects.filter(pk=token.pk).update(last_used_at=now)
            token.last_used_at = now
        return token.user, token

    def authenticate_header(self, request) -> str:
        return self.keyword
