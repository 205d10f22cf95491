"""The unsubscribe page of the check-in reminders: no login, the signed token is the key."""

from __future__ import annotations

from django.shortcuts import render
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_http_methods

from accounts.services import user_update
from okr import reminders


# The signed token is the credential. Mail providers send RFC 8058 one-click POSTs
# (``List-Unsubscribe=One-Click``) without a session or a CSRF token.
@csrf_exempt
@require_http_methods(["GET", "HEAD", "POST"])
def unsubscribe(request, token: str):
    """GET asks to confirm (link scanners must not unsubscribe anyone); POST turns reminders off.

    The confirmation page's form can also turn them back on (``action=resubscribe``).
    """
    user = reminders.user_for_unsubscribe_token(token)
    if user is None:
        return render(request, "reminders/unsubscribe.html", {"state": "invalid"}, status=400)
    if request.method in ("GET", "HEAD"):
        state = "confirm" if user.checkin_reminders else "unsubscribed"
    elif request.POST.get("action") == "resubscribe":
        user_update(user=user, checkin_reminders=True)
        state = "resubscribed"
    else:
        user_update(user=user, checkin_reminders=False)
        state = "unsubscribed"
    return render(
        request, "reminders/unsubscribe.html", {"state": state, "email": user.email, "token": token}
    )
