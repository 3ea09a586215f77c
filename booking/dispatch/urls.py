from django.urls import path

from booking.dispatch.apis.blocks import BlockDetailApi, BlockListCreateApi
from booking.dispatch.apis.bookings import (
    BookingAuditApi,
    BookingCancelApi,
    BookingCandidatesApi,
    BookingCheckApi,
    BookingCompleteApi,
    BookingDetailApi,
    BookingExceptionAssignApi,
    BookingInterpreterCancelApi,
    BookingListCreateApi,
    BookingOffersApi,
)
from booking.dispatch.apis.calendar import CalendarFeedApi, CalendarTokenApi
from booking.dispatch.apis.offers import OfferAcceptApi, OfferDeclineApi, OfferListApi
from booking.dispatch.apis.rules import GuidelinesApi, RulesApi

urlpatterns = [
    path("bookings/", BookingListCreateApi.as_view(), name="booking-list"),
    path("bookings/check/", BookingCheckApi.as_view(), name="booking-check"),
    path("bookings/<int:pk>/", BookingDetailApi.as_view(), name="booking-detail"),
    path("bookings/<int:pk>/candidates/", BookingCandidatesApi.as_view(),
         name="booking-candidates"),
    path("bookings/<int:pk>/offers/", BookingOffersApi.as_view(), name="booking-offers"),
    path("bookings/<int:pk>/cancel/", BookingCancelApi.as_view(), name="booking-cancel"),
    path("bookings/<int:pk>/complete/", BookingCompleteApi.as_view(), name="booking-complete"),
    path("bookings/<int:pk>/interpreter-cancel/", BookingInterpreterCancelApi.as_view(),
         name="booking-interpreter-cancel"),
    path("bookings/<int:pk>/exception-assignment/", BookingExceptionAssignApi.as_view(),
         name="booking-exception-assignment"),
    path("bookings/<int:pk>/audit/", BookingAuditApi.as_view(), name="booking-audit"),
    path("offers/", OfferListApi.as_view(), name="offer-list"),
    path("offers/<int:pk>/accept/", OfferAcceptApi.as_view(), name="offer-accept"),
    path("offers/<int:pk>/decline/", OfferDeclineApi.as_view(), name="offer-decline"),
    path("blocks/", BlockListCreateApi.as_view(), name="block-list"),
    path("blocks/<int:pk>/", BlockDetailApi.as_view(), name="block-detail"),
    path("rules/", RulesApi.as_view(), name="rules"),
    path("guidelines/", GuidelinesApi.as_view(), name="guidelines"),
    path("me/calendar-token/", CalendarTokenApi.as_view(), name="calendar-token"),
    path("me/calendar.ics", CalendarFeedApi.as_view(), name="calendar-ics"),
]
