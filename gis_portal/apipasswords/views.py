"""The staff member's own API passwords: make one (the secret is shown once), list, revoke."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_POST

from gis_portal.errors import DomainError

from . import services
from .forms import ApiPasswordForm
from .models import ApiPassword


@login_required
def index(request: HttpRequest) -> HttpResponse:
    created = None
    form = ApiPasswordForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            created = services.create_api_password(user=request.user, label=form.cleaned_data["label"])
        except DomainError as exc:
            form.add_error("label", exc.message)
        else:
            form = ApiPasswordForm()
    response = render(
        request,
        "apipasswords/index.html",
        {
            "form": form,
            "created": created,
            "passwords": ApiPassword.objects.filter(user=request.user),
            "ogc_url": request.build_absolute_uri(reverse("ogc:landing")),
        },
    )
    response["Cache-Control"] = "no-store"  # the page may show a new secret
    return response


@login_required
@require_POST
def revoke(request: HttpRequest, pk: int) -> HttpResponse:
    try:
        services.revoke_api_password(user=request.user, pk=pk)
    except DomainError as exc:
        raise Http404(exc.message) from None
    return redirect("apipasswords:index")
