"""Typed factory_boy factories shared by the whole suite."""

from __future__ import annotations

import datetime as dt

import factory
from factory.django import DjangoModelFactory

from booking.models import (
    Interpreter,
    Organisation,
    OrganisationKind,
    ProviderType,
    Qualification,
    RegisterStatusEvent,
    Role,
    Sector,
    Unit,
    User,
)
from tolk.reference.validators import is_valid_org_number


def _org_number(n: int) -> str:
    """The n-th valid organisation number in a deterministic sequence."""
    base = 910000000 + n * 100
    while True:
        for last in range(10):
            candidate = str(base + last)
            if is_valid_org_number(candidate):
                return candidate
        base += 10


class OrganisationFactory(DjangoModelFactory[Organisation]):
    class Meta:
        model = Organisation

    org_number = factory.Sequence(_org_number)
    name = factory.Sequence(lambda n: f"Kommune {n}")
    kind = OrganisationKind.MUNICIPALITY
    provider_type = ""
    municipality = "0301"


class ProviderFactory(OrganisationFactory):
    name = factory.Sequence(lambda n: f"Tolkeformidling {n}")
    kind = OrganisationKind.MUNICIPAL_SERVICE
    provider_type = ProviderType.MUNICIPAL


class UnitFactory(DjangoModelFactory[Unit]):
    class Meta:
        model = Unit

    organisation = factory.SubFactory(OrganisationFactory)
    name = factory.Sequence(lambda n: f"NAV-kontor {n}")
    sector = Sector.WELFARE
    municipality = factory.SelfAttribute("organisation.municipality")


class InterpreterFactory(DjangoModelFactory[Interpreter]):
    class Meta:
        model = Interpreter

    register_number = factory.Sequence(lambda n: f"{100000 + n}")
    given_name = factory.Sequence(lambda n: f"Tolk{n}")
    family_name = factory.Sequence(lambda n: f"Etternavn{n:05d}")
    gender = "female"
    municipality = "0301"
    availability = "full_time"
    email = factory.LazyAttribute(lambda o: f"tolk{o.register_number}@example.no")
    phone = "+4790000000"


class QualificationFactory(DjangoModelFactory[Qualification]):
    class Meta:
        model = Qualification

    interpreter = factory.SubFactory(InterpreterFactory)
    language = "ara"
    category = "A"
    valid_from = dt.date(2020, 1, 1)
    valid_to = None


class StatusEventFactory(DjangoModelFactory[RegisterStatusEvent]):
    class Meta:
        model = RegisterStatusEvent

    interpreter = factory.SubFactory(InterpreterFactory)
    kind = "suspension"
    valid_from = dt.date(2026, 1, 1)
    valid_to = None


class UserFactory(DjangoModelFactory[User]):
    class Meta:
        model = User
        skip_postgeneration_save = True

    username = factory.Sequence(lambda n: f"user{n}")
    role = Role.ANALYST
    password = factory.django.Password("demo-password-123")


class BookerFactory(UserFactory):
    role = Role.BOOKER
    unit = factory.SubFactory(UnitFactory)
    organisation = factory.SelfAttribute("unit.organisation")


class CoordinatorFactory(UserFactory):
    role = Role.COORDINATOR
    organisation = factory.SubFactory(ProviderFactory)


class InterpreterUserFactory(UserFactory):
    role = Role.INTERPRETER
    interpreter = factory.SubFactory(InterpreterFactory)


class AdminFactory(UserFactory):
    role = Role.ADMIN
    is_staff = True
    is_superuser = True


# --- bookings -----------------------------------------------------------------------


class GuidelineFactory(DjangoModelFactory["Guideline"]):
    class Meta:
        model = "booking.Guideline"

    organisation = factory.SubFactory(OrganisationFactory)
    version = factory.Sequence(lambda n: n + 1)
    valid_from = dt.date(2024, 1, 1)
    min_category = ""
    remote_platforms = factory.LazyFunction(lambda: ["Teams (helsenett)", "Whereby Sikker"])
    police_certificate_required = False
    late_cancellation_hours = 24


class ProviderAgreementFactory(DjangoModelFactory["ProviderAgreement"]):
    class Meta:
        model = "booking.ProviderAgreement"

    customer = factory.SubFactory(OrganisationFactory)
    provider = factory.SubFactory(ProviderFactory)
    is_default = True


def api_tokens(users: list[object]) -> dict[int, str]:
    """API tokens (django-rest-knox, stored as digests) for many users at once: user id → the
    secret to send as `Authorization: Token ...`."""
    from django.utils import timezone
    from knox.models import AuthToken, get_digest_token
    from knox.settings import CONSTANTS, knox_settings

    secrets_by_user: dict[int, str] = {}
    rows = []
    expiry = timezone.now() + knox_settings.TOKEN_TTL
    for user in users:
        digest, secret = get_digest_token()
        secrets_by_user[user.pk] = secret  # type: ignore[attr-defined]
        rows.append(AuthToken(digest=digest, token_key=secret[:CONSTANTS.TOKEN_KEY_LENGTH],
                              user=user, expiry=expiry))
    AuthToken.objects.bulk_create(rows)
    return secrets_by_user


def api_token(user: object) -> str:
    return api_tokens([user])[user.pk]  # type: ignore[attr-defined]
