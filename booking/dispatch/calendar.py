"""An interpreter's assignments as an iCalendar feed (RFC 5545), built with `icalendar`."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable

from django.utils import timezone
from icalendar import Calendar, Event

from booking.models import Assignment, Modality
from tolk.reference import geo
from tolk.reference.languages import language_name

PRODID = "-//Tolk//Interpreter calendar//NB"


def assignment_summary(assignment: Assignment) -> str:
    booking = assignment.booking
    modality = {"onsite": "Oppmøte", "video": "Skjerm", "phone": "Telefon"}[booking.modality]
    return f"Tolkeoppdrag {language_name(booking.language)} ({modality})"


def calendar_build(*, assignments: Iterable[Assignment], host: str, name: str) -> bytes:
    """One VEVENT per assignment. The UID is stable per assignment, so calendar clients update
    rather than duplicate events when the feed is fetched again."""
    cal = Calendar()
    cal.add("prodid", PRODID)
    cal.add("version", "2.0")
    cal.add("calscale", "GREGORIAN")
    cal.add("x-wr-calname", name)
    cal.add("x-wr-timezone", "Europe/Oslo")
    stamp = timezone.now()
    for assignment in assignments:
        booking = assignment.booking
        event = Event()
        event.add("uid", f"assignment-{assignment.pk}@{host}")
        event.add("dtstamp", stamp)
        event.add("dtstart", assignment.start.astimezone(dt.UTC))
        event.add("dtend", assignment.end.astimezone(dt.UTC))
        event.add("summary", assignment_summary(assignment))
        if booking.modality == Modality.ONSITE:
            event.add("location",
                      f"{booking.address}, {geo.municipality_name(booking.municipality)}")
        else:
            event.add("location", booking.platform)
        lines = [f"Bestilling {booking.pk}"]
        if booking.dialect:
            lines.append(f"Dialekt: {booking.dialect}")
        if booking.topic_notes:
            lines.append(f"Tema: {booking.topic_notes}")
        if booking.terminology_notes:
            lines.append(f"Terminologi: {booking.terminology_notes}")
        if assignment.travel_minutes:
            lines.append(f"Reisetid beregnet: {assignment.travel_minutes} min hver vei")
        event.add("description", "\n".join(lines))
        event.add("status", "CONFIRMED")
        cal.add_component(event)
    return cal.to_ical()
