"""OGC API – Features documents, paging, filters, CRS and scoping (Django test client)."""

from __future__ import annotations

import datetime as dt

import pytest
from django.contrib.gis.db.models import Extent
from django.contrib.gis.geos import GEOSGeometry, Point
from django.utils import timezone
from pyproj import Transformer

from gis_portal import roles
from parcels import services
from parcels.models import Parcel

pytestmark = pytest.mark.django_db

CRS84 = "http://www.opengis.net/def/crs/OGC/1.3/CRS84"
EPSG = "http://www.opengis.net/def/crs/EPSG/0/{}"


@pytest.fixture
def client_for(client, make_user, pangmu, token_for):
    def make(*role_names: str, token: bool = False):
        user = make_user(f"u{len(role_names)}{token}", pangmu, *role_names)
        if token:
            client.defaults["HTTP_AUTHORIZATION"] = f"Token {token_for(user)}"
        else:
            client.force_login(user)
        return client

    return make


def rels(doc) -> dict[str, dict]:
    return {link["rel"]: link for link in doc["links"]}


def test_landing_conformance_and_collections(client_for, register):
    client = client_for(roles.VIEWER, token=True)
    landing = client.get("/ogc/").json()
    assert {"self", "service-desc", "conformance", "data"} <= set(rels(landing))
    assert rels(landing)["data"]["href"].endswith("/ogc/collections")
    conf = client.get("/ogc/conformance").json()["conformsTo"]
    assert "http://www.opengis.net/spec/ogcapi-features-1/1.0/conf/geojson" in conf
    assert "http://www.opengis.net/spec/ogcapi-features-2/1.0/conf/crs" in conf
    api = client.get("/ogc/api")
    assert api.status_code == 200 and api.json()["openapi"].startswith("3.0")
    collections = client.get("/ogc/collections").json()["collections"]
    assert [c["id"] for c in collections] == ["villages", "parcels", "buildings", "households"]
    parcels = collections[1]
    assert parcels["crs"] == [CRS84, EPSG.format(4326), EPSG.format(3857), EPSG.format(32647)]
    minx, miny, maxx, maxy = parcels["extent"]["spatial"]["bbox"][0]
    extent = Parcel.objects.filter(organisation=register["home"].organisation).aggregate(e=Extent("geom"))[
        "e"
    ]
    assert (minx, miny, maxx, maxy) == pytest.approx(extent)
    assert rels(parcels)["items"]["type"] == "application/geo+json"


def test_items_paging_with_next_links(client_for, register):
    client = client_for(roles.VIEWER)
    page = client.get("/ogc/collections/parcels/items?limit=2")
    assert page["Content-Type"].startswith("application/geo+json")
    assert page["Content-Crs"] == f"<{CRS84}>"
    doc = page.json()
    assert doc["numberMatched"] == 5 and doc["numberReturned"] == 2
    seen = [f["properties"]["code"] for f in doc["features"]]
    while "next" in rels(doc):
        doc = client.get(rels(doc)["next"]["href"]).json()
        seen += [f["properties"]["code"] for f in doc["features"]]
    assert sorted(seen) == ["01A001", "01A002", "01A003", "01A004", "02B001"]
    assert "prev" in rels(doc)
    assert client.get("/ogc/collections/parcels/items?limit=0").status_code == 400
    assert client.get("/ogc/collections/parcels/items?offset=-1").status_code == 400
    big = client.get("/ogc/collections/parcels/items?limit=99999").json()
    assert big["numberReturned"] == 5


def test_bbox_and_property_filters(client_for, register):
    client = client_for(roles.VIEWER)
    farm = register["farm"].geom
    minx, miny, maxx, maxy = farm.extent
    doc = client.get(f"/ogc/collections/parcels/items?bbox={minx},{miny},{maxx},{maxy}").json()
    assert {f["properties"]["code"] for f in doc["features"]} == {"02B001"}
    # The same box in UTM metres, and in EPSG:4326's latitude-first order.
    to_utm = Transformer.from_crs(4326, 32647, always_xy=True)
    (e1, e2), (n1, n2) = to_utm.transform([minx + 1e-6, maxx - 1e-6], [miny + 1e-6, maxy - 1e-6])
    utm = client.get(
        f"/ogc/collections/parcels/items?bbox={e1},{n1},{e2},{n2}&bbox-crs={EPSG.format(32647)}"
    ).json()
    assert {f["properties"]["code"] for f in utm["features"]} == {"02B001"}
    latlon = client.get(
        f"/ogc/collections/parcels/items?bbox={miny},{minx},{maxy},{maxx}&bbox-crs={EPSG.format(4326)}"
    ).json()
    assert {f["properties"]["code"] for f in latlon["features"]} == {"02B001"}
    active = client.get("/ogc/collections/parcels/items?status=retired").json()
    assert [f["properties"]["code"] for f in active["features"]] == ["01A001"]
    assert client.get("/ogc/collections/parcels/items?bbox=1,2,3").status_code == 400
    assert client.get("/ogc/collections/parcels/items?bbox=3,2,1,4").status_code == 400
    assert client.get("/ogc/collections/parcels/items?bbox-crs=EPSG:9999&bbox=1,2,3,4").status_code == 400


def test_output_crs(client_for, register):
    client = client_for(roles.VIEWER)
    household = register["household"]
    url = f"/ogc/collections/households/items/{household.pk}"
    lonlat = client.get(url).json()["geometry"]["coordinates"]
    assert lonlat == pytest.approx([household.location.x, household.location.y], abs=1e-12)
    flipped = client.get(f"{url}?crs={EPSG.format(4326)}")
    assert flipped["Content-Crs"] == f"<{EPSG.format(4326)}>"
    assert flipped.json()["geometry"]["coordinates"] == pytest.approx(lonlat[::-1], abs=1e-12)
    utm = client.get(f"{url}?crs={EPSG.format(32647)}").json()["geometry"]["coordinates"]
    expected = household.location.transform(32647, clone=True)
    assert utm == pytest.approx([expected.x, expected.y], abs=1e-3)
    merc = client.get(f"/ogc/collections/households/items?crs={EPSG.format(3857)}").json()
    assert merc["features"][0]["geometry"]["coordinates"][0] > 1e7
    assert client.get(f"{url}?crs={EPSG.format(32648)}").status_code == 400


def test_datetime_returns_the_register_as_it_was(client_for, register):
    client = client_for(roles.VIEWER)
    home = register["home"]
    before = timezone.now()
    services.parcel_update(parcel=home, doc_number="NEW-99")
    now = client.get("/ogc/collections/parcels/items?code=01A002").json()["features"][0]
    assert now["properties"]["doc_number"] == "NEW-99"
    stamp = before.astimezone(dt.UTC).isoformat().replace("+00:00", "Z")
    then = client.get(f"/ogc/collections/parcels/items?code=01A002&datetime={stamp}").json()
    assert then["features"][0]["properties"]["doc_number"] == ""
    changed = client.get(f"/ogc/collections/parcels/items?datetime={stamp}/..").json()
    assert [f["properties"]["code"] for f in changed["features"]] == ["01A002"]
    ancient = client.get("/ogc/collections/parcels/items?datetime=2000-01-01T00:00:00Z").json()
    assert ancient["numberMatched"] == 0
    assert client.get("/ogc/collections/parcels/items?datetime=yesterday").status_code == 400
    # An offset Python accepts but PostgreSQL does not (beyond ±15:59) is converted, not a 500.
    odd = client.get("/ogc/collections/parcels/items", {"datetime": "2000-01-01T00:00:00+19:58"})
    assert odd.status_code == 200 and odd.json()["numberMatched"] == 0
    year_zero = client.get("/ogc/collections/parcels/items", {"datetime": "0001-01-01T00:00:00+01:00"})
    assert year_zero.status_code == 400


def test_single_item_and_errors(client_for, register):
    client = client_for(roles.VIEWER)
    building = register["house"]
    doc = client.get(f"/ogc/collections/buildings/items/{building.pk}").json()
    assert doc["id"] == building.pk and doc["properties"]["parcel_code"] == "01A002"
    assert GEOSGeometry(str(doc["geometry"]).replace("'", '"'), srid=4326).equals_exact(
        building.footprint, 1e-12
    )
    assert client.get("/ogc/collections/buildings/items/999999").status_code == 404
    assert client.get("/ogc/collections/roads/items").status_code == 404
    assert client.get("/ogc/collections?f=xml").status_code == 400


def test_authentication_and_scoping(client, client_for, register, other_register, make_user, pangmu):
    assert client.get("/ogc/collections").status_code == 401
    assert client.get("/ogc/", HTTP_AUTHORIZATION="Token nonsense").status_code == 401
    client = client_for(roles.VIEWER, token=True)
    doc = client.get("/ogc/collections/households/items").json()
    assert [f["id"] for f in doc["features"]] == [register["household"].pk]
    other = other_register["household"]
    assert client.get(f"/ogc/collections/households/items/{other.pk}").status_code == 404
    point: Point = other.location
    box = f"{point.x - 0.001},{point.y - 0.001},{point.x + 0.001},{point.y + 0.001}"
    assert client.get(f"/ogc/collections/households/items?bbox={box}").json()["numberMatched"] == 0


def test_no_client_cache_keeps_an_answer_for_a_request_without_the_same_credentials(
    client, client_for, register
):
    refused = client.get("/ogc/collections/parcels")
    client = client_for(roles.VIEWER, token=True)
    for response in (refused, client.get("/ogc/"), client.get("/ogc/collections/parcels/items")):
        cache_control = {part.strip() for part in response["Cache-Control"].split(",")}
        assert {"private", "no-store"} <= cache_control
        assert {"Authorization", "Cookie"} <= {part.strip() for part in response["Vary"].split(",")}


def test_user_of_another_organisation_sees_nothing(client, make_user, pangmu, register):
    from parcels.models import Organisation

    other = Organisation.objects.create(
        slug="x", dla_code="999", name_th="x", boundary=pangmu.boundary, utm_srid=32647
    )
    client.force_login(make_user("outsider", other, roles.GIS_EDITOR))
    assert client.get("/ogc/collections/parcels/items").json()["numberMatched"] == 0
