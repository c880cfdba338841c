from django.http import HttpResponse
from django.shortcuts import render


def home(request):
    groups = []
    if request.user.is_authenticated:
        groups = list(request.user.groups.order_by("id").values_list("name", flat=True))
    return render(request, "home.html", {"groups": groups})


def login_failed(request):
    return render(request, "login_failed.html", status=403)


def healthz(request):
    return HttpResponse("ok")
