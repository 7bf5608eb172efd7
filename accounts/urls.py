from django.contrib.auth import views as auth_views
from django.urls import path

from accounts import views
from accounts.login_throttle import throttle_login

app_name = "accounts"

urlpatterns = [
    path(
        "login/",
        throttle_login(auth_views.LoginView.as_view(redirect_authenticated_user=True)),
        name="login",
    ),
    path("logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("signup/", views.signup, name="signup"),
    path("tokens/", views.tokens, name="tokens"),
    path("tokens/<uuid:token_id>/revoke/", views.token_revoke, name="token_revoke"),
]
