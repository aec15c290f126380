"""A user of one organisation can neither read nor change another organisation's rows."""

from __future__ import annotations

import pytest
from django.urls import reverse

from gis_portal.errors import NotFoundError, PermissionDeniedError
from parcels import services
from parcels.models import Parcel, Party
from parcels.selectors import parcel_for_user, require_role, scope_to_user
from tests.conftest import ORIGIN_E, ORIGIN_N, utm_rect


@pytest.fixture
def two_orgs(pangmu, mokchampae, village):
    # A parcel in each organisation: Mok Champae lies north of Pang Mu (about 19.45–19.6 N).
    mine = services.parcel_create(organisation=pangmu, code="01A001", geom=utm_rect(0, 0, 50, 50))
    dy = 2_156_698 - ORIGIN_N  # 19.50 N 97.93 E, the middle of Mok Champae
    dx = 387_763 - ORIGIN_E
    theirs = services.parcel_create(organisation=mokchampae, code="01A001", geom=utm_rect(dx, dy, 50, 50))
    theirs_party = services.party_create(
        organisation=mokchampae, kind="person", first_name="นาแฮ", last_name="ลีซู", national_id="3100600445635"
    )
    return mine, theirs, theirs_party


@pytest.mark.django_db
def test_selectors_scope_rows(two_orgs, make_user, pangmu):
    mine, theirs, _ = two_orgs
    user = make_user("somchai", pangmu, "GIS editor")
    assert list(scope_to_user(Parcel.objects.all(), user)) == [mine]
    assert parcel_for_user(user, mine.pk) == mine
    with pytest.raises(NotFoundError):
        parcel_for_user(user, theirs.pk)
    with pytest.raises(PermissionDeniedError):
        require_role(user, theirs.organisation, "GIS editor")
    nobody = make_user("nobody")
    assert list(scope_to_user(Parcel.objects.all(), nobody)) == []


@pytest.mark.django_db
def test_admin_lists_and_pages_hide_the_other_organisation(client, two_orgs, make_user, pangmu):
    mine, theirs, theirs_party = two_orgs
    client.force_login(make_user("somchai", pangmu, "GIS editor"))
    listing = client.get(reverse("admin:parcels_parcel_changelist"))
    assert listing.status_code == 200
    assert listing.context["cl"].result_count == 1
    assert list(listing.context["cl"].result_list) == [mine]
    assert client.get(reverse("admin:parcels_parcel_change", args=[mine.pk])).status_code == 200
    # Another organisation's parcel and person are "not there" (the admin redirects with a message).
    other = client.get(reverse("admin:parcels_parcel_change", args=[theirs.pk]))
    assert other.status_code == 302
    assert client.get(reverse("admin:parcels_party_change", args=[theirs_party.pk])).status_code == 302
    assert client.get(reverse("parcels:parcel-detail", args=[theirs.pk])).status_code == 404
    assert client.get(reverse("parcels:parcel-detail", args=[mine.pk])).status_code == 200


@pytest.mark.django_db
def test_admin_cannot_change_the_other_organisations_parcel(client, two_orgs, make_user, pangmu):
    mine, theirs, _ = two_orgs
    client.force_login(make_user("somchai", pangmu, "GIS editor"))
    url = reverse("admin:parcels_parcel_change", args=[theirs.pk])
    response = client.post(
        url, {"code": "01A999", "doc_type": "none", "organisation": theirs.organisation_id}
    )
    assert response.status_code in (302, 403)
    theirs.refresh_from_db()
    assert theirs.code == "01A001" and theirs.version == 1
    # Nor can the user create a parcel in it: the organisation is not among the form's choices.
    add = client.post(
        reverse("admin:parcels_parcel_add"),
        {
            "organisation": theirs.organisation_id,
            "code": "01A002",
            "doc_type": "none",
            "geom": mine.geom.json,
            "land_uses-TOTAL_FORMS": 0,
            "land_uses-INITIAL_FORMS": 0,
            "rights-TOTAL_FORMS": 0,
            "rights-INITIAL_FORMS": 0,
        },
    )
    assert add.status_code == 200 and "organisation" in add.context["adminform"].form.errors
    assert Parcel.objects.filter(organisation=theirs.organisation).count() == 1


@pytest.mark.django_db
def test_viewer_can_read_but_not_change_and_sees_no_party_ids(client, two_orgs, make_user, pangmu):
    mine, _, _ = two_orgs
    client.force_login(make_user("viewer", pangmu, "viewer"))
    assert client.get(reverse("admin:parcels_parcel_changelist")).status_code == 200
    response = client.post(reverse("admin:parcels_parcel_change", args=[mine.pk]), {"code": "01A555"})
    assert response.status_code == 403
    assert client.get(reverse("admin:parcels_party_changelist")).status_code == 403
    mine.refresh_from_db()
    assert mine.code == "01A001"


@pytest.mark.django_db
def test_national_ids_masked_for_roles_without_need(client, pangmu, make_user):
    services.party_create(organisation=pangmu, kind="person", first_name="ก", national_id="3100600445635")
    surveyor_with_party_view = make_user("s", pangmu, "surveyor")
    from django.contrib.auth.models import Permission

    surveyor_with_party_view.user_permissions.add(Permission.objects.get(codename="view_party"))
    client.force_login(surveyor_with_party_view)
    page = client.get(reverse("admin:parcels_party_changelist")).content.decode()
    assert "3100600445635" not in page and "X-XXXX-XXXXX-563-5" in page
    client.force_login(make_user("t", pangmu, "tax officer"))
    page = client.get(reverse("admin:parcels_party_changelist")).content.decode()
    assert "3100600445635" in page
    assert Party.objects.count() == 1
