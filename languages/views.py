"""Translation catalogues filled in the browser by staff or community leaders."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render

from community.models import HelperKind
from community.selectors import helper_village_ids
from gis_portal.errors import DomainError
from gis_portal.roles import SERVICE_OFFICER
from parcels.models import Membership

from . import selectors, services
from .catalogue import source_words
from .models import Language, Translation


def may_translate(user) -> bool:  # noqa: ANN001
    """Service officers, and community leaders (they speak the villages' languages)."""
    if user.is_superuser:
        return True
    if Membership.objects.filter(user=user, role__name=SERVICE_OFFICER).exists():
        return True
    return bool(helper_village_ids(user, kinds=(HelperKind.LEADER,)))


@login_required
def language_list(request: HttpRequest) -> HttpResponse:
    if not may_translate(request.user):
        return render(request, "health/forbidden.html", status=403)
    rows = [{"lang": lang, "progress": selectors.progress(lang)} for lang in Language.objects.all()]
    return render(request, "languages/list.html", {"rows": rows})


@login_required
def language_edit(request: HttpRequest, code: str) -> HttpResponse:
    if not may_translate(request.user):
        return render(request, "health/forbidden.html", status=403)
    language = Language.objects.filter(code=code).first()
    if language is None:
        raise Http404
    error = None
    if request.method == "POST":
        texts = {k[2:]: v for k, v in request.POST.items() if k.startswith("t:")}
        try:
            changed = services.translations_save(language=language, texts=texts, user=request.user)
            messages.success(request, f"บันทึกแล้ว {changed} คำ / {changed} saved")
            return redirect(request.get_full_path())
        except DomainError as exc:
            error = exc.message
    current = {t.key: t for t in Translation.objects.filter(language=language).select_related("updated_by")}
    only_missing = request.GET.get("missing") == "1"
    rows = [
        {"key": key, "th": th, "en": en, "t": current.get(key)}
        for key, (th, en) in sorted(source_words().items())
        if not (only_missing and key in current)
    ]
    return render(
        request,
        "languages/edit.html",
        {"language": language, "rows": rows, "error": error, "progress": selectors.progress(language)},
        status=400 if error else 200,
    )
