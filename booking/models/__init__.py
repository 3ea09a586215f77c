from booking.models.choices import (
    BLOCKING_EVENT_KINDS,
    Availability,
    Category,
    EntryStatus,
    Gender,
    Modality,
    OrganisationKind,
    ProviderType,
    Role,
    Sector,
    StatusEventKind,
)
from booking.models.events import CalendarToken, Event, WebsocketTicket
from booking.models.organisations import Organisation, Unit, User
from booking.models.register import (
    Interpreter,
    Qualification,
    RegisterImport,
    RegisterStatusEvent,
)

__all__ = [
    "BLOCKING_EVENT_KINDS",
    "Availability",
    "CalendarToken",
    "Category",
    "EntryStatus",
    "Event",
    "Gender",
    "Interpreter",
    "Modality",
    "Organisation",
    "OrganisationKind",
    "ProviderType",
    "Qualification",
    "RegisterImport",
    "RegisterStatusEvent",
    "Role",
    "Sector",
    "StatusEventKind",
    "Unit",
    "User",
    "WebsocketTicket",
]
