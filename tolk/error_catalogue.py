"""The catalogue of domain errors: every error a client can get, its stable code and its message.

Each entry is keyed by a name that is unique in the catalogue; the `code` on the wire is the name
itself unless the entry says otherwise (several messages can share one code, e.g. two ways of
failing § 6 are both `TL6_DUTY_BASIS`). Messages are English gettext strings, translated to bokmål
in `tolk/locale/nb/LC_MESSAGES/django.po`, and resolved in the request's language only when the
error is rendered. The compiled `.mo` is committed: after changing the `.po`, run
`python manage.py compilemessages -l nb -i .venv` (a message without bokmål fails
`tests/tolk/test_error_catalogue.py`). Parameters are `%(name)s` placeholders, and an error is
given exactly its message's parameters; a `datetime.date` parameter is written the way the
language writes dates (`31.12.2026`, `2026-12-31`).

Raise an entry with `ValidationFailed.of("name", field=value)` (or `NotFoundError.of`, ...),
`DomainError(code="name", params={...})`, or `catalogue_error("name")`, which picks the exception
class from the entry's status. The law's section comes from the entry, or is given when raising
(the booking rules take it from `booking.rules.catalogue`). This is the only place an error gets
its text: raising takes a name and its parameters, never a message.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

# Sections of the Interpreter Act that are not a single rule code.
DECLARATIONS_SECTION = "§§ 15–16"


@dataclass(frozen=True)
class ErrorEntry:
    """One error: its message (lazy gettext), the code sent to clients, the law's section where
    one applies, and the HTTP status when it differs from the raising class's.
    `same_in_bokmal` marks a message that is meant to read the same in both languages."""

    message: Promise
    code: str = ""
    section: str | None = None
    status: int | None = None
    same_in_bokmal: bool = False


def _entries(**entries: ErrorEntry) -> dict[str, ErrorEntry]:
    return {
        name: entry if entry.code else ErrorEntry(
            message=entry.message, code=name, section=entry.section, status=entry.status,
            same_in_bokmal=entry.same_in_bokmal,
        )
        for name, entry in entries.items()
    }


E = ErrorEntry

CATALOGUE: dict[str, ErrorEntry] = _entries(
    # --- requests and plumbing (tolk) ----------------------------------------------------------
    invalid_request=E(_("The request is not valid."), code="invalid"),
    service_unavailable=E(
        _("The service is temporarily unavailable. Try again shortly."), status=503
    ),
    server_error=E(_("Something went wrong on our side."), status=500),
    server_error_try_again=E(
        _("Something went wrong on our side. Try again."), code="server_error", status=500
    ),
    not_found=E(_("Not found."), status=404),
    permission_denied=E(_("You do not have permission to perform this action."), status=403),
    bad_request=E(_("The request could not be understood.")),
    method_not_allowed=E(_("Method not allowed."), status=405),
    too_large=E(_("The request is too large."), status=413),
    throttled=E(_("Too many requests."), status=429),
    login_locked=E(
        _("Too many failed login attempts for this user or from this address. Try again in "
          "%(minutes)s minutes."),
        status=429,
    ),
    request_invalid_character=E(
        _("The request contains an invalid character (NUL)."), code="invalid_character"
    ),
    file_too_large=E(_("The file is too large (at most %(megabytes)s MB).")),
    invalid_character=E(_("The text contains an invalid character (NUL, \\u0000).")),
    json_too_deep=E(_("The JSON document is nested too deeply (at most %(limit)s levels).")),
    time_outside_calendar=E(_("The time is outside the calendar."), code="invalid"),
    date_format_invalid=E(_("The date must be YYYY-MM-DD."), code="invalid"),
    list_filter_invalid=E(_("Invalid filter."), code="invalid"),
    nonexistent_local_time=E(_(
        "%(time)s does not exist on %(date)s in Norwegian time (the clocks go forward). "
        "Choose another time, or give the offset (e.g. +02:00)."
    )),
    ambiguous_local_time=E(_(
        "%(time)s occurs twice on %(date)s in Norwegian time (the clocks go back). Give the "
        "offset: +02:00 for summer time, +01:00 for winter time."
    )),
    # --- websocket messages (booking.realtime.consumers) ---------------------------------------
    socket_since_invalid=E(_("since must be an event id."), code="invalid"),
    socket_unknown_type=E(_("Unknown message type."), code="invalid"),
    socket_not_text=E(_("Messages must be JSON text."), code="invalid"),
    socket_too_large=E(_("The message is too large."), code="invalid"),
    socket_not_json=E(_("The message is not valid JSON."), code="invalid"),
    socket_too_deep=E(
        _("The message is nested too deeply (at most %(limit)s levels)."), code="json_too_deep"
    ),
    socket_invalid_character=E(
        _("The message contains an invalid character (NUL)."), code="invalid_character"
    ),
    socket_not_object=E(_("A message is a JSON object with a type."), code="invalid"),
    socket_request_id_invalid=E(_("request_id must be a string or a number."), code="invalid"),
    socket_throttled=E(_("Too many messages; wait a few seconds."), code="throttled"),
    socket_offer_id_invalid=E(_("offer_id must be the id of an offer."), code="invalid"),
    socket_reason_invalid=E(
        _("reason must be a text of at most %(limit)s characters."), code="invalid"
    ),
    socket_server_error=E(_("Something went wrong. Try again shortly."), code="server_error"),
    # --- signing in, API tokens and calendar links (booking.accounts, booking.dispatch.apis) ---
    invalid_credentials=E(_("Wrong username or password.")),
    token_not_found=E(_("No such token."), code="not_found", status=404),
    calendar_not_found=E(_("Unknown or revoked calendar link."), status=404),
    # --- bookings ------------------------------------------------------------------------------
    booking_not_found=E(_("Booking not found."), status=404),
    interpreter_not_found=E(_("Interpreter not found in the register."), status=404),
    not_an_interpreter=E(_("Only interpreters have a calendar subscription."), status=403),
    not_a_booker=E(_("Only bookers can book interpreters."), status=403),
    no_provider_agreement=E(
        _("The organisation has no agreement with an interpreting provider.")
    ),
    no_agreement_with_provider=E(
        _("The organisation has no agreement with this provider."), code="no_provider_agreement"
    ),
    ambiguous_language=E(_(
        "The language code covers several languages of the register; choose one of: "
        "%(options)s."
    )),
    unknown_language=E(_("Unknown language code (ISO 639-3).")),
    modality_unknown=E(_("Unknown modality."), code="invalid"),
    sector_unknown=E(_("Unknown sector."), code="invalid"),
    gender_unknown=E(_("Unknown gender."), code="invalid"),
    municipality_unknown=E(_("Unknown municipality number."), code="invalid"),
    idempotency_key_too_long=E(_("The Idempotency-Key is too long."), code="invalid"),
    idempotency_key_invalid_character=E(
        _("The Idempotency-Key may contain only visible characters."), code="invalid_character"
    ),
    idempotency_key_other_request=E(
        _("The Idempotency-Key was used before with a different request."),
        code="idempotency_key_reused", status=409,
    ),
    booking_final=E(_("The booking is already %(booking_status)s."), status=409),
    booking_not_completable=E(
        _("Only an assigned booking can be completed."), code="booking_not_assigned", status=409
    ),
    booking_not_assigned=E(_("No active assignment."), status=409),
    completion_invalid=E(_("The completion details are not valid."), code="invalid"),
    assignment_started=E(
        _("The assignment has started and cannot be cancelled."), status=409
    ),
    # --- status changes (booking.dispatch.lifecycle): one entry per entity, the entity named
    # in its language's own words
    booking_transition_illegal=E(
        _("The booking cannot change from '%(from_status)s' to '%(to_status)s'."),
        code="illegal_transition", status=409,
    ),
    offer_transition_illegal=E(
        _("The offer cannot change from '%(from_status)s' to '%(to_status)s'."),
        code="illegal_transition", status=409,
    ),
    assignment_transition_illegal=E(
        _("The assignment cannot change from '%(from_status)s' to '%(to_status)s'."),
        code="illegal_transition", status=409,
    ),
    # --- offers and dispatch (booking.dispatch.services.offers, waves) -------------------------
    offer_not_found=E(_("Offer not found."), status=404),
    wave_limit_invalid=E(_("limit must be between 1 and %(limit)s."), code="invalid"),
    booking_cannot_be_offered=E(
        _("The booking cannot be offered now."), code="booking_not_open", status=409
    ),
    booking_not_open=E(_("The booking is no longer open."), status=409),
    offer_not_pending=E(_("The offer is no longer open (%(offer_status)s)."), status=409),
    offer_expired=E(_("The offer has expired."), status=409),
    not_a_candidate=E(_(
        "Some of the interpreters cannot be offered the booking (see ?explain= for the reason)."
    )),
    # --- the documented exception path (booking.dispatch.services.exception_path) --------------
    booking_cannot_be_assigned=E(
        _("The booking cannot be assigned now."), code="booking_not_open", status=409
    ),
    booking_ended=E(
        _("The assignment has ended and cannot be offered to an interpreter."), status=409
    ),
    interpreter_already_assigned_once=E(
        _("The interpreter already had this assignment and gave it up."), status=409
    ),
    register_number_or_adhoc_name=E(
        _("Give either a register number or the name of an interpreter outside the register."),
        code="invalid",
    ),
    adhoc_name_missing=E(
        _("Give the name of the interpreter outside the register."), code="invalid"
    ),
    adhoc_name_too_long=E(_("The name is too long."), code="invalid"),
    # --- the register, organisations and their guidelines --------------------------------------
    register_import_invalid=E(
        _("The file was not imported: every row must be valid. See errors.")
    ),
    organisation_not_found=E(_("Organisation not found."), status=404),
    guidelines_publish_not_allowed=E(
        _("Only administrators can publish guidelines."), code="permission_denied", status=403
    ),
    remote_platforms_invalid=E(
        _("Approved platforms must be a list of names."), code="invalid"
    ),
    platform_name_too_long=E(
        _("Platform names can have at most 100 characters."), code="invalid"
    ),
    late_cancellation_hours_invalid=E(
        _("The late-cancellation window must be between 0 and 336 hours."), code="invalid"
    ),
    # --- blocking an interpreter (booking.dispatch.services.blocks, § 16) ----------------------
    organisation_required=E(_("Give the organisation that blocks the interpreter.")),
    block_not_allowed=E(
        _("Only bookers and administrators can block interpreters."),
        code="permission_denied", status=403,
    ),
    block_reason_required=E(
        _("Give a reason for the block (%(min_length)s–500 characters)."), section="16"
    ),
    case_reference_too_long=E(
        _("The case reference is too long (at most 64 characters)."), code="invalid"
    ),
    block_not_found=E(_("Block not found."), code="not_found", status=404),
    # --- when a booking may be (booking.rules.times) -------------------------------------------
    timezone_required=E(_("Times must include a time zone.")),
    end_before_start=E(_(
        "The end must be after the start (in real time; mind the offset when the clocks "
        "change)."
    )),
    duration_too_short=E(_("The booking must last at least 15 minutes.")),
    duration_too_long=E(_("The booking can last at most 12 hours.")),
    assignment_too_long=E(
        _("An assignment can last at most 24 hours."), code="duration_too_long"
    ),
    start_in_past=E(_("The start must be in the future.")),
    start_too_far_ahead=E(_("Bookings can be made at most two years ahead.")),
    not_started=E(_("Cannot complete an assignment that has not started.")),
    # --- the Interpreter Act (booking.rules.checks) --------------------------------------------
    duty_basis_invalid=E(
        _("State the basis for using an interpreter: statute, necessary or discretionary."),
        code="TL6_DUTY_BASIS",
    ),
    duty_basis_assessment_missing=E(
        _("When an interpreter is necessary, describe the assessment of the need."),
        code="TL6_DUTY_BASIS",
    ),
    remote_platform_missing=E(
        _("Remote interpreting needs a platform from the organisation's approved list."),
        code="TL8_REMOTE",
    ),
    remote_platform_not_approved=E(
        _("The platform '%(platform)s' is not approved by the organisation."),
        code="TL8_REMOTE",
    ),
    onsite_place_missing=E(_("On-site interpreting needs a municipality and an address.")),
    guidelines_missing=E(
        _("The organisation has no guidelines in force for ordering interpreters."),
        code="TL9_GUIDELINES",
    ),
    category_invalid=E(_("Category must be A, B, C, D or E."), code="invalid"),
    category_too_low=E(
        _("The booking requires at least category %(min_category)s."), code="TL9_GUIDELINES"
    ),
    police_certificate_missing=E(
        _("The assignment requires a police certificate valid on its date."),
        code="TL10_POLICE_CERT",
    ),
    language_not_qualified=E(
        _("You are not qualified for the language %(language)s on %(date)s."),
        code="TL14_LANGUAGE",
    ),
    interpreter_blocked=E(
        _("The interpreter is blocked for this case by the organisation."),
        code="TL16_IMPARTIALITY",
    ),
    exception_not_object=E(
        _("The exception must be an object with ground, justification and decided_by."),
        code="TL7_EXCEPTION",
    ),
    exception_incomplete=E(
        _("An exception from the qualification duty needs a ground, a written justification "
          "and who decided."),
        code="TL7_EXCEPTION",
    ),
    qualified_interpreter_required=E(
        _("From %(date)s a qualified interpreter is required, or a documented exception "
          "(ground, justification, who decided)."),
        code="TL7_QUALIFIED",
    ),
    child_exception_not_object=E(
        _("The exception must be an object with ground and reason."), code="TL4_CHILD"
    ),
    age_missing=E(_("Give the age of the interpreter outside the register."), code="TL4_CHILD"),
    age_invalid=E(_("The age is not valid."), code="invalid"),
    child_interpreter=E(
        _("A child under 18 must not be used as an interpreter."), code="TL4_CHILD"
    ),
    child_exception_incomplete=E(
        _("An exception for a child needs a ground (emergency or clearly justifiable) and a "
          "reason."),
        code="TL4_CHILD",
    ),
    # --- re-checks when the register changes (booking.dispatch.services.recheck) ---------------
    not_qualified_entry_blocked=E(
        _("The interpreter is not qualified for %(language)s on %(date)s (the entry is "
          "suspended, excluded or revoked)."),
        code="TL7_QUALIFIED",
    ),
    not_qualified_no_entry=E(
        _("The interpreter is not qualified for %(language)s on %(date)s (no valid entry in "
          "the National Register of Interpreters)."),
        code="TL7_QUALIFIED",
    ),
    # --- declarations (booking.rules.declarations) ---------------------------------------------
    declarations_not_object=E(_("The declarations must be a JSON object."), code="invalid"),
    declarations_incomplete=E(_("The declarations are incomplete."), code="invalid"),
    impartiality_not_declared=E(
        _("You cannot take the assignment without declaring that you are not disqualified."),
        code="TL16_IMPARTIALITY",
    ),
    confidentiality_not_acknowledged=E(
        _("You must acknowledge the duty of confidentiality to take the assignment."),
        code="TL15_CONFIDENTIALITY",
    ),
    interpreter_must_declare=E(
        _("The impartiality and confidentiality declarations must come from the interpreter: "
          "a registered interpreter gives them when accepting the offer; for an interpreter "
          "outside the register, record their written declaration (written_declaration)."),
        section=DECLARATIONS_SECTION,
    ),
    written_declaration_invalid=E(
        _("The written declaration must be the interpreter's own (their name), and its time "
          "cannot be in the future or after the assignment."),
        section=DECLARATIONS_SECTION,
    ),
    written_impartiality_missing=E(
        _("The interpreter must have declared in writing that they are not disqualified."),
        code="TL16_IMPARTIALITY",
    ),
    written_confidentiality_missing=E(
        _("The interpreter must have acknowledged the duty of confidentiality in writing."),
        code="TL15_CONFIDENTIALITY",
    ),
    written_declaration_required=E(
        _("An interpreter outside the register can only be assigned once their written "
          "declaration of impartiality (§ 16) and confidentiality (§ 15) is recorded: who "
          "declared and when."),
        section=DECLARATIONS_SECTION,
    ),
    # --- conflicts from database constraints (booking.conflicts) -------------------------------
    interpreter_busy=E(
        _("The interpreter has another assignment in the same period (travel included)."),
        status=409,
    ),
    booking_already_assigned=E(
        _("The assignment has already been given to another interpreter."), status=409
    ),
    block_exists=E(_("The interpreter is already blocked for this."), status=409),
    offer_exists=E(_("The interpreter has already been offered this assignment."), status=409),
    idempotency_key_reused=E(_("The Idempotency-Key was used before."), status=409),
    guideline_version_exists=E(
        _("Another version of the guidelines was published at the same time. Try again."),
        status=409,
    ),
    provider_agreement_exists=E(_("The agreement already exists."), status=409),
    provider_default_exists=E(
        _("The organisation already has a default provider."),
        code="provider_agreement_exists", status=409,
    ),
    unit_exists=E(_("The unit already exists."), status=409),
    # --- statistics ----------------------------------------------------------------------------
    invalid_filter=E(_("Invalid filter for the report.")),
    invalid_fact=E(_("Invalid value for %(field)s in the statistics fact.")),
    unsuppressed_not_allowed=E(
        _("You may not see the report without small-number suppression."), status=403
    ),
    export_not_found=E(_("No such export."), status=404),
    not_a_provider=E(_("Only interpreting providers can deliver assignment files."), status=403),
    assignment_import_not_allowed=E(
        _("Only analysts and providers' coordinators can import assignment files."),
        code="permission_denied", status=403,
    ),
    assignment_import_invalid=E(_(
        "The file was not imported: %(count)s problem(s). Every row must be valid; see errors."
    )),
    export_client_name_invalid=E(
        _("The name must have 1–100 characters."), code="invalid_name"
    ),
    export_client_exists=E(_("There is already an export client called '%(name)s'."),
                           status=409),
    # --- pulling facts from another installation (stats.services.pull; status 502) -------------
    source_redirected=E(
        _("The source redirected (%(http_status)s) to another address; configure that address.")
    ),
    source_refused=E(_(
        "The source refused access (%(http_status)s): check the token and that the export client "
        "has not been revoked."
    )),
    source_error=E(_("The source answered HTTP %(http_status)s.")),
    source_unreachable=E(_("Could not reach the source: %(reason)s.")),
    source_timeout=E(_("The source did not answer within %(seconds)s seconds.")),
    source_export_timeout=E(
        _("The source did not finish the export within %(seconds)s seconds."),
        code="source_timeout",
    ),
    invalid_source_url=E(_("'%(url)s' is not an http(s) address.")),
    invalid_export=E(_("The source did not answer with a Tolk export (CSV with an export id).")),
    export_too_large=E(_("The export is larger than a year's facts can be.")),
    export_truncated=E(_("The transfer broke off before the whole export had arrived.")),
    export_broke_off=E(
        _("The transfer broke off before the whole export had arrived (%(error)s)."),
        code="export_truncated",
    ),
    export_size_mismatch=E(
        _("Received %(received)s bytes; the source sent %(sent)s."), code="export_truncated"
    ),
    invalid_manifest=E(_("The source did not answer with a valid manifest of the export.")),
    export_incomplete=E(_("The source did not finish the export; try again.")),
    checksum_mismatch=E(
        _("The checksum (SHA-256) of what arrived does not match the source's manifest.")
    ),
    row_count_mismatch=E(_("The export had %(rows)s rows; the manifest says %(expected)s.")),
    missing_token=E(_("The source '%(source)s' has no token; give --token-file.")),
    export_not_imported=E(
        _("The export was not imported: %(count)s problem(s) (%(first)s)."),
        code="invalid_export",
    ),
    unknown_source=E(_("No source is called '%(source)s', and it is not an http(s) address.")),
)


def entry(name: str) -> ErrorEntry:
    """The catalogue entry `name`; a name that is not in the catalogue is a bug (KeyError)."""
    try:
        return CATALOGUE[name]
    except KeyError:
        raise KeyError(f"{name!r} is not in the error catalogue (tolk.error_catalogue)") from None
