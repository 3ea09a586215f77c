"""Choice sets shared by models, serializers, filters and imports."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class Role(models.TextChoices):
    BOOKER = "booker", _("Booker")
    COORDINATOR = "coordinator", _("Coordinator")
    INTERPRETER = "interpreter", _("Interpreter")
    ANALYST = "analyst", _("Analyst")
    ADMIN = "admin", _("Administrator")


class OrganisationKind(models.TextChoices):
    MUNICIPALITY = "municipality", _("Municipality")
    STATE_AGENCY = "state_agency", _("State agency")
    PRIVATE_PROVIDER = "private_provider", _("Private provider")
    MUNICIPAL_SERVICE = "municipal_service", _("Municipal interpreting service")


class ProviderType(models.TextChoices):
    PRIVATE = "private", _("Private provider")
    MUNICIPAL = "municipal", _("Municipal intermediary")
    STATE = "state", _("State agency")
    IN_HOUSE = "in_house", _("In-house")


class Sector(models.TextChoices):
    HEALTH = "health", _("Health")
    WELFARE = "welfare", _("Welfare (NAV)")
    CHILD_WELFARE = "child_welfare", _("Child welfare")
    EDUCATION = "education", _("Education")
    JUSTICE = "justice", _("Justice")
    IMMIGRATION = "immigration", _("Immigration")
    OTHER = "other", _("Other")


class Modality(models.TextChoices):
    ONSITE = "onsite", _("On-site")
    VIDEO = "video", _("Video")
    PHONE = "phone", _("Phone")


class Category(models.TextChoices):
    A = "A", "A"
    B = "B", "B"
    C = "C", "C"
    D = "D", "D"
    E = "E", "E"


class Gender(models.TextChoices):
    FEMALE = "female", _("Female")
    MALE = "male", _("Male")
    OTHER = "other", _("Other")


class Availability(models.TextChoices):
    FULL_TIME = "full_time", _("Full time")
    PART_TIME = "part_time", _("Part time")
    SPORADIC = "sporadic", _("Sporadic")


class EntryStatus(models.TextChoices):
    ACTIVE = "active", _("Active")
    SUSPENDED = "suspended", _("Suspended")
    EXCLUDED = "excluded", _("Excluded")
    REVOKED = "revoked", _("Revoked")


class StatusEventKind(models.TextChoices):
    WARNING = "warning", _("Warning")
    SUSPENSION = "suspension", _("Suspension")
    EXCLUSION = "exclusion", _("Exclusion")
    REVOCATION = "revocation", _("Revocation")
