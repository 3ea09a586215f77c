from django.contrib.auth import views as auth_views
from django.urls import path

from frontend.forms import LoginForm
from frontend.views import analyst, booker, coordinator, interpreter, public

app_name = "frontend"

urlpatterns = [
    path("", public.home, name="home"),
    path(
        "login/",
        auth_views.LoginView.as_view(
            template_name="frontend/login.html", authentication_form=LoginForm
        ),
        name="login",
    ),
    path("logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("card/", public.card_check, name="card-check"),
    path("card/<str:number>/", public.card_detail, name="card-detail"),
    # Booker
    path("book/", booker.booking_new, name="booking-new"),
    path("bookings/", booker.booking_list, name="booking-list"),
    path("bookings/<int:booking_id>/", booker.booking_detail, name="booking-detail"),
    path("bookings/<int:booking_id>/cancel/", booker.booking_cancel_view, name="booking-cancel"),
    # Interpreter
    path("blocks/", booker.blocks, name="blocks"),
    path("blocks/<int:block_id>/delete/", booker.block_delete, name="block-delete"),
    path("interpreter/offers/", interpreter.offers, name="offers"),
    path("interpreter/offers/<int:offer_id>/card/", interpreter.offer_card, name="offer-card"),
    path(
        "interpreter/offers/<int:offer_id>/accept/",
        interpreter.offer_accept_view,
        name="offer-accept",
    ),
    path(
        "interpreter/offers/<int:offer_id>/decline/",
        interpreter.offer_decline_view,
        name="offer-decline",
    ),
    path("interpreter/assignments/", interpreter.assignments, name="assignments"),
    path(
        "interpreter/assignments/<int:booking_id>/give-back/",
        interpreter.assignment_give_back,
        name="assignment-give-back",
    ),
    path("interpreter/calendar/", interpreter.calendar_token, name="calendar-token"),
    path("interpreter/card/", interpreter.my_card, name="my-card"),
    # Coordinator
    path("dispatch/", coordinator.board, name="dispatch"),
    path("dispatch/<int:booking_id>/", coordinator.dispatch_booking, name="dispatch-booking"),
    path("dispatch/<int:booking_id>/offers/", coordinator.send_wave, name="dispatch-send"),
    # Analyst
    path("statistics/", analyst.need_report, name="need-report"),
    path("statistics/import/", analyst.provider_import, name="provider-import"),
]
