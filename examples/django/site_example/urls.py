from django.urls import include, path

from accounts import views

urlpatterns = [
    path("", views.home, name="home"),
    path("login-failed/", views.login_failed, name="login_failed"),
    path("healthz", views.healthz),
    path("oidc/", include("mozilla_django_oidc.urls")),
]
