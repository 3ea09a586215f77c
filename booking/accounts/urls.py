from django.urls import path

from booking.accounts.apis import (
    MeApi,
    OrganisationDetailApi,
    OrganisationListApi,
    TokenApi,
    TokenDetailApi,
    TokenListApi,
)

urlpatterns = [
    path("auth/token/", TokenApi.as_view(), name="auth-token"),
    path("auth/tokens/", TokenListApi.as_view(), name="auth-tokens"),
    path("auth/tokens/<str:token_id>/", TokenDetailApi.as_view(), name="auth-token-detail"),
    path("me/", MeApi.as_view(), name="me"),
    path("organisations/", OrganisationListApi.as_view(), name="organisation-list"),
    path("organisations/<int:pk>/", OrganisationDetailApi.as_view(), name="organisation-detail"),
]
