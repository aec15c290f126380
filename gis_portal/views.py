from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from parcels.selectors import organisation_summary, organisations_for_user


@login_required
def home(request: HttpRequest) -> HttpResponse:
    """The staff portal's front page: each organisation of the user with its register per village."""
    organisations = [
        {"organisation": org, "villages": organisation_summary(org)}
        for org in organisations_for_user(request.user)
    ]
    for entry in organisations:
        entry["totals"] = {
            key: sum(row[key] for row in entry["villages"]) for key in ("parcels", "buildings", "households")
        }
    return render(request, "gis_portal/home.html", {"organisations": organisations})
