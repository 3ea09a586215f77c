from django.urls import path, re_path

from booking.register.apis import (
    InterpreterCardApi,
    InterpreterListApi,
    LanguageListApi,
    RegisterImportApi,
)

urlpatterns = [
    path("languages/", LanguageListApi.as_view(), name="languages"),
    path("interpreters/", InterpreterListApi.as_view(), name="interpreter-list"),
    # The card check is printed on cards and QR codes without a trailing slash; accept both.
    re_path(
        r"^interpreters/(?P<register_number>[A-Za-z0-9-]{1,16})/card/?$",
        InterpreterCardApi.as_view(),
        name="interpreter-card",
    ),
    path("register/imports/", RegisterImportApi.as_view(), name="register-imports"),
]
