from django.contrib.auth import views as auth_views
from django.urls import path

from frontend.forms import LoginForm
from frontend.views import interpreter, public

app_name = "frontend"

urlpatterns = [
    path("", public.home, name="home"),
    path(
        "login/",
        auth_views.LoginView.as_view(
            template_name="frontend/login.html",
            authentication_form=LoginForm,
            redirect_authenticated_user=False,
        ),
        name="login",
    ),
    path("logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("card/", public.card_check, name="card-check"),
    path("card/<str:number>/", public.card_detail, name="card-detail"),
    # Interpreter
    path("interpreter/card/", interpreter.my_card, name="my-card"),
]
