"""Public Smart Travel pages: no login, no cookies needed, a few KB, cached by browsers and proxies."""

from __future__ import annotations

from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.views.decorators.cache import cache_control
from django.views.decorators.http import require_GET

from eservices.conf import PUBLIC_BASE_URL
from parcels.models import Organisation

from . import selectors
from .i18n import words
from .models import KIND_ICONS, Place, PlaceKind


def _org(slug: str) -> Organisation:
    org = Organisation.objects.filter(slug=slug).defer("boundary").first()
    if org is None:
        raise Http404
    return org


def _lang(request: HttpRequest) -> str:
    # From the address only (no cookie): the pages are cached publicly, one copy per address.
    return "en" if request.GET.get("lang") == "en" else "th"


@require_GET
@cache_control(public=True, max_age=300)
def travel_home(request: HttpRequest, org: str) -> HttpResponse:
    organisation = _org(org)
    lang = _lang(request)
    kind = request.GET.get("kind", "")
    if kind and kind not in PlaceKind.values:
        kind = ""
    places = list(selectors.public_places(organisation, kind, timezone.localdate()))
    frame, outline = selectors.tambon_outline(organisation)
    marks = []
    for n, p in enumerate(places, start=1):
        x, y = frame.point(p.location_3857.x, p.location_3857.y)
        marks.append({"n": n, "x": x, "y": y, "kind": p.kind, "id": p.pk, "name": p.name(lang)})
    return render(
        request,
        "travel/home.html",
        {
            "T": words(lang),
            "L": lang,
            "org": organisation,
            "kind": kind,
            "kinds": [(k, KIND_ICONS[k], label) for k, label in PlaceKind.choices],
            "places": [{"p": p, "n": n, "name": p.name(lang)} for n, p in enumerate(places, start=1)],
            "frame": frame,
            "outline": outline,
            "marks": marks,
            "r": frame.radius(0.012),
        },
    )


def _place(organisation: Organisation, pk: int) -> Place:
    place = Place.objects.filter(organisation=organisation, pk=pk, published=True).first()
    if place is None:
        raise Http404
    return place


@require_GET
@cache_control(public=True, max_age=300)
def place_page(request: HttpRequest, org: str, pk: int) -> HttpResponse:
    organisation = _org(org)
    lang = _lang(request)
    place = _place(organisation, pk)
    return render(
        request,
        "travel/place.html",
        {
            "T": words(lang),
            "L": lang,
            "org": organisation,
            "place": place,
            "name": place.name(lang),
            "description": place.description(lang),
            "geo": f"geo:{place.location.y:.6f},{place.location.x:.6f}",
        },
    )


def place_url(place: Place, slug: str) -> str:
    return f"{PUBLIC_BASE_URL}/travel/{slug}/p/{place.pk}/"


@require_GET
@cache_control(public=True, max_age=86400)
def place_qr(request: HttpRequest, org: str, pk: int) -> HttpResponse:
    """An SVG QR code of the place's public page, to print on a sign."""
    import qrcode
    import qrcode.image.svg

    organisation = _org(org)
    place = _place(organisation, pk)
    img = qrcode.make(
        place_url(place, organisation.slug), image_factory=qrcode.image.svg.SvgPathImage, box_size=10
    )
    return HttpResponse(img.to_string(encoding="unicode"), content_type="image/svg+xml")
