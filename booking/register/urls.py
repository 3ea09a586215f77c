from django.urls import path, re_path

from booking.accounts.apis import TokenApi, TokenDetailApi, TokenListApi
from booking.register.apis import (
    InterpreterCardApi,
    InterpreterListApi,
    LanguageListApi,
    MeApi,
    OrganisationDetailApi,
    OrganisationListApi,
    RegisterImportApi,
)

urlpatterns = [
    path("auth/token/", TokenApi.as_view(), name="auth-token"),
    path("auth/tokens/", TokenListApi.as_view(), name="auth-tokens"),
    path("auth/tokens/<str:token_id>/", TokenDetailApi.as_view(), name="auth-token-detail"),
    path("me/", MeApi.as_view(), name="me"),
    path("languages/", LanguageListApi.as_view(), name="languages"),
    path("organisations/", OrganisationListApi.as_view(), name="organisation-list"),
    path("organisations/<int:pk>/", OrganisationDetailApi.as_view(), name="organisation-detail"),
    path("interpreters/", InterpreterListApi.as_view(), name="interpreter-list"),
    # The card check is printed on cards and QR codes without a trailing slash; accept both.
    re_path(
        r"^interpreters/(?P<register_number>[A-Za-z0-9-]{1,16})/card/?$",
        InterpreterCardApi.as_view(),
        name="interpreter-card",
    ),
    path("register/imports/", RegisterImportApi.as_view(), name="register-imports"),
]
