"""URLs: django-oauth-toolkit under /o/, a login page, and /healthz for dot.sh."""
from django.conf import settings
from django.contrib.auth import views as auth_views
from django.http import HttpResponse
from django.urls import include, path


def healthz(request):
    # dot.sh compares this with the id it gave the instance, so an older server
    # still holding the port is never taken for the new one.
    return HttpResponse(settings.INSTANCE_ID, content_type="text/plain")


def profile(request):
    # Where a login without ?next= lands; only there so that case is not a 404.
    user = request.user.get_username() if request.user.is_authenticated else ""
    return HttpResponse(f"signed in as {user}\n", content_type="text/plain")


urlpatterns = [
    path("o/", include("oauth2_provider.urls", namespace="oauth2_provider")),
    path("accounts/login/", auth_views.LoginView.as_view(), name="login"),
    path("accounts/logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("accounts/profile/", profile, name="profile"),
    path("healthz", healthz),
]
