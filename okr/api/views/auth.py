"""Sign-up, tokens, the signed-in user and their organizations, invitation acceptance."""

from __future__ import annotations

from django.contrib.auth import authenticate
from django.db import transaction
from drf_spectacular.utils import OpenApiExample, OpenApiResponse, extend_schema
from rest_framework import generics, mixins, status, viewsets
from rest_framework.exceptions import NotFound, ValidationError
from rest_framework.permissions import AllowAny
from rest_framework.response import Response
from rest_framework.settings import api_settings

from accounts import services as account_services
from accounts.models import ApiToken, Invitation, Membership
from accounts.rls import all_tenants
from accounts.tenancy import active_memberships
from accounts.throttling import AuthRateThrottle
from okr import services
from okr.api import serializers
from okr.selectors import parse_id

BAD_CREDENTIALS = "Unable to log in with the provided credentials."


def _authenticated_answer(membership: Membership, status_code: int) -> Response:
    """A fresh token for the membership's user, and the organization it lets them into."""
    _, raw = ApiToken.issue(membership.user)
    payload = serializers.AuthenticatedSerializer({"token": raw, "organization": membership}).data
    return Response(payload, status=status_code)


class SignupView(generics.GenericAPIView):
    authentication_classes = []
    permission_classes = [AllowAny]
    throttle_classes = [AuthRateThrottle]
    throttle_scope = "signup"
    serializer_class = serializers.SignupSerializer

    @extend_schema(
        summary="Create an account, its organization and an API token",
        description=(
            "Creates a user, an organization of which they are the admin, and a token for "
            "them. Needs no credentials; limited per client IP (429 beyond)."
        ),
        responses={201: serializers.AuthenticatedSerializer},
        auth=[],
        examples=[
            OpenApiExample(
                "Sign up",
                request_only=True,
                value={
                    "email": "ada@example.com",
                    "password": "a long passphrase",
                    "organization_name": "Acme",
                    "name": "Ada",
                },
            )
        ],
    )
    @all_tenants()  # sign-up crosses tenants: the address is unique across them
    def post(self, request) -> Response:
        serializer = self.get_serializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        with transaction.atomic():
            membership = services.user_signup(**serializer.validated_data)
            return _authenticated_answer(membership, status.HTTP_201_CREATED)


class TokenView(generics.GenericAPIView):
    authentication_classes = []
    permission_classes = [AllowAny]
    throttle_classes = [AuthRateThrottle]
    throttle_scope = "token"
    serializer_class = serializers.LogInSerializer

    @extend_schema(
        summary="Exchange an e-mail and password for an API token",
        description=(
            "Each call issues one more token (one per device or script). Wrong credentials "
            "answer 400 with `non_field_errors`. Needs no credentials; limited per client IP "
            "(429 beyond)."
        ),
        responses={200: serializers.TokenSerializer},
        auth=[],
    )
    def post(self, request) -> Response:
        serializer = self.get_serializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        # The plain HttpRequest, so that django-axes' lock-out flag reaches its middleware.
        user = authenticate(
            request._request,
            email=serializer.validated_data["email"],
            password=serializer.validated_data["password"],
        )
        if user is None:
            raise ValidationError({api_settings.NON_FIELD_ERRORS_KEY: [BAD_CREDENTIALS]})
        _, raw = ApiToken.issue(user)
        return Response(serializers.TokenSerializer({"token": raw}).data)


class ApiTokenViewSet(mixins.ListModelMixin, viewsets.GenericViewSet):
    """The caller's own tokens; another user's token does not exist for them."""

    queryset = ApiToken.objects.none()
    serializer_class = serializers.ApiTokenSerializer
    deletes_are_never_refused = True  # the schema declares no 400 on revoking

    def get_queryset(self):
        return ApiToken.objects.filter(user=self.request.user).order_by("id")

    @extend_schema(summary="List your API tokens")
    def list(self, request, *args, **kwargs) -> Response:
        return super().list(request, *args, **kwargs)

    @extend_schema(summary="Revoke one of your API tokens", responses={204: None})
    def destroy(self, request, pk=None) -> Response:
        token_id = parse_id(pk)
        try:
            if token_id is None:
                raise ApiToken.DoesNotExist
            account_services.api_token_revoke(user=request.user, token_id=token_id)
        except ApiToken.DoesNotExist:
            raise NotFound("No such token.") from None
        return Response(status=status.HTTP_204_NO_CONTENT)


class MeView(generics.GenericAPIView):
    serializer_class = serializers.MeSerializer

    @extend_schema(summary="Your account")
    def get(self, request) -> Response:
        return Response(self.get_serializer(request.user).data)

    @extend_schema(summary="Edit your name and reminder preference")
    def patch(self, request) -> Response:
        serializer = self.get_serializer(request.user, data=request.data, partial=True)
        serializer.is_valid(raise_exception=True)
        user = account_services.user_update(user=request.user, **serializer.validated_data)
        return Response(self.get_serializer(user).data)


class InvitationAcceptView(generics.GenericAPIView):
    """Accept an invitation: a new account, or the existing one (by its password or session)."""

    permission_classes = [AllowAny]
    throttle_classes = [AuthRateThrottle]
    throttle_scope = "invitation"
    serializer_class = serializers.InvitationAcceptSerializer

    @extend_schema(
        summary="Accept an invitation and get an API token",
        description=(
            "The key is the last part of the e-mailed link `/invitations/<key>/`. `password` "
            "creates the account, or is the existing account's password. Needs no credentials; "
            "limited per client IP (429 beyond)."
        ),
        responses={
            200: serializers.AuthenticatedSerializer,
            400: OpenApiResponse(description="Used or expired invitation, or a bad password."),
            404: OpenApiResponse(description="Unknown invitation key."),
        },
    )
    @all_tenants()  # the key names the organization; it is read before any tenant is known
    def post(self, request, key: str) -> Response:
        serializer = self.get_serializer(data=request.data)
        if services.invitation_for_key(key) is None:
            raise NotFound("No such invitation.")
        serializer.is_valid(raise_exception=True)
        user = request.user if request.user.is_authenticated else None
        with transaction.atomic():
            try:
                membership = services.invitation_accept(
                    key=key, user=user, **serializer.validated_data
                )
            except Invitation.DoesNotExist:
                raise NotFound("No such invitation.") from None
            return _authenticated_answer(membership, status.HTTP_200_OK)


class OrganizationListView(generics.ListAPIView):
    """The caller's active organizations, with their role in each."""

    queryset = Membership.objects.none()
    serializer_class = serializers.OrganizationSummarySerializer

    def get_queryset(self):
        return active_memberships(self.request.user).order_by("organization_id")

    @extend_schema(summary="List your organizations")
    @all_tenants()  # the user's list of organizations
    def get(self, request, *args, **kwargs) -> Response:
        return super().get(request, *args, **kwargs)
