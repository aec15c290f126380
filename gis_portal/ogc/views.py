"""OGC API – Features (Part 1 Core + GeoJSON, Part 2 CRS) over the register, read-only.

Plain Django views returning JSON. Authentication as for /api/v1/: the web session or an
``Authorization: Token <key>`` header (what QGIS and GDAL send); every query is scoped to the
caller's organisations and role, like the REST API (gis_portal.api.access).

``datetime``: the temporal property of a feature is the instant of its last recorded change
(the django-simple-history table). An instant returns the register as it was at that instant; an
interval ``a/b`` returns the features as they were at ``b`` that changed within ``[a, b]``
(``../b`` = as at ``b``; ``a/..`` = as now, changed since ``a``).
"""

from __future__ import annotations

import datetime as dt
import json
from decimal import Decimal
from typing import Any

from django.contrib.gis.db.models import Extent, GeometryField
from django.contrib.gis.db.models.functions import AsGeoJSON, Transform
from django.contrib.gis.geos import Polygon
from django.db.models import Func, Min
from django.http import HttpRequest, HttpResponse
from django.urls import reverse
from django.utils import timezone
from django.utils.cache import patch_cache_control, patch_vary_headers
from django.views.decorators.http import require_safe
from rest_framework.authentication import TokenAuthentication
from rest_framework.exceptions import AuthenticationFailed
from rest_framework.request import Request

from gis_portal.api.access import scope_by_role
from gis_portal.api.history import as_of_queryset
from gis_portal.apipasswords.services import BasicAuthError, authenticate_basic
from parcels.models import Organisation
from parcels.selectors import scope_to_user

from .collections import COLLECTIONS, Collection

CRS84 = "http://www.opengis.net/def/crs/OGC/1.3/CRS84"
EPSG = "http://www.opengis.net/def/crs/EPSG/0/{}"
DEFAULT_LIMIT = 100
MAX_LIMIT = 10_000
GEOJSON = "application/geo+json"
JSON = "application/json"
OPENAPI = "application/vnd.oai.openapi+json;version=3.0"
FORMATS = {None, "", "json", "geojson", JSON, GEOJSON}
# Equality filters on feature properties (Part 1 /req/core/fc-filters), per collection.
PROPERTY_FILTERS = {
    "villages": ("number",),
    "parcels": ("code", "status", "doc_type", "village_number", "zone", "block"),
    "buildings": ("status", "building_type", "material", "parcel_code"),
    "households": ("status", "house_number", "village_number"),
}
CONFORMANCE = [
    "http://www.opengis.net/spec/ogcapi-features-1/1.0/conf/core",
    "http://www.opengis.net/spec/ogcapi-features-1/1.0/conf/geojson",
    "http://www.opengis.net/spec/ogcapi-features-1/1.0/conf/oas30",
    "http://www.opengis.net/spec/ogcapi-features-2/1.0/conf/crs",
]


class OgcError(Exception):
    def __init__(self, status: int, code: str, description: str) -> None:
        super().__init__(description)
        self.status, self.code, self.description = status, code, description


class FlipCoordinates(Func):
    """``ST_FlipCoordinates``: EPSG:4326 is latitude, longitude in its official axis order."""

    function = "ST_FlipCoordinates"
    output_field = GeometryField(srid=4326)


def _json(
    data: Any, *, status: int = 200, content_type: str = JSON, headers: dict | None = None
) -> HttpResponse:
    response = HttpResponse(
        json.dumps(data, ensure_ascii=False, separators=(",", ":")),
        status=status,
        content_type=f"{content_type}; charset=utf-8" if "version" not in content_type else content_type,
    )
    for key, value in (headers or {}).items():
        response[key] = value
    return response


def _error(exc: OgcError) -> HttpResponse:
    headers = {"WWW-Authenticate": 'Token realm="ogc"'} if exc.status == 401 else None
    return _json({"code": exc.code, "description": exc.description}, status=exc.status, headers=headers)


def _user(request: HttpRequest) -> Any:
    """The session user, else the user of an ``Authorization: Token`` header or of HTTP Basic with
    an API password (what QGIS 3.22's Basic authentication sends), else 401 (429 while locked)."""
    if request.user.is_authenticated:
        return request.user
    try:
        found = TokenAuthentication().authenticate(Request(request))
        user = found[0] if found else authenticate_basic(request)
    except AuthenticationFailed as exc:
        raise OgcError(401, "NotAuthenticated", str(exc.detail)) from None
    except BasicAuthError as exc:
        raise OgcError(exc.status_code, "NotAuthenticated", exc.message) from None
    if user is None:
        raise OgcError(
            401,
            "NotAuthenticated",
            "Log in, send 'Authorization: Token <key>', or use HTTP Basic with an API password",
        )
    return user


def ogc_view(func: Any) -> Any:
    """GET/HEAD only; authenticate; check ``f``; map OgcError to an OGC exception document."""

    @require_safe
    def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        try:
            user = _user(request)
            if request.GET.get("f") not in FORMATS:
                raise OgcError(400, "InvalidParameterValue", "f: only json (GeoJSON for features) is offered")
            response = func(request, user, *args, **kwargs)
        except OgcError as exc:
            response = _error(exc)
        # Every answer depends on who asks: no client cache may keep it or hand it to a request
        # without the same credentials (QGIS reads OGC API documents from its disk cache first).
        patch_cache_control(response, private=True, no_store=True)
        patch_vary_headers(response, ("Authorization", "Cookie"))
        return response

    wrapper.__name__ = func.__name__
    wrapper.__doc__ = func.__doc__
    return wrapper


def _url(request: HttpRequest, name: str, *args: Any) -> str:
    return request.build_absolute_uri(reverse(f"ogc:{name}", args=args))


def _link(href: str, rel: str, type_: str, title: str = "") -> dict[str, str]:
    link = {"href": href, "rel": rel, "type": type_}
    if title:
        link["title"] = title
    return link


def _utm_srids(user: Any) -> list[int]:
    return sorted(set(scope_to_user(Organisation.objects.all(), user).values_list("utm_srid", flat=True)))


def _crs_list(user: Any) -> list[str]:
    return [CRS84, EPSG.format(4326), EPSG.format(3857), *(EPSG.format(s) for s in _utm_srids(user))]


def _parse_crs(value: str | None, user: Any, param: str) -> tuple[int, bool, str]:
    """(srid, latitude-first?, URI) of a CRS parameter; CRS84 when absent."""
    if not value or value in (CRS84, "[OGC:CRS84]", "OGC:CRS84"):
        return 4326, False, CRS84
    allowed = _crs_list(user)
    if value not in allowed:
        raise OgcError(400, "InvalidParameterValue", f"{param}: one of {', '.join(allowed)}")
    srid = int(value.rsplit("/", 1)[1])
    return srid, srid == 4326, value


def _parse_int(request: HttpRequest, name: str, default: int, minimum: int) -> int:
    raw = request.GET.get(name)
    if raw is None or raw == "":
        return default
    try:
        value = int(raw)
    except ValueError:
        raise OgcError(400, "InvalidParameterValue", f"{name} must be an integer") from None
    if value < minimum:
        raise OgcError(400, "InvalidParameterValue", f"{name} must be at least {minimum}")
    return value


def _parse_instant(value: str, name: str) -> dt.datetime:
    try:
        if len(value) == 10:
            day = dt.date.fromisoformat(value)
            moment = dt.datetime.combine(day + dt.timedelta(days=1), dt.time.min) - dt.timedelta(
                microseconds=1
            )
            return timezone.make_aware(moment, timezone.get_default_timezone())
        moment = dt.datetime.fromisoformat(value)
        # In UTC: PostgreSQL refuses offsets beyond ±15:59 that Python accepts (up to ±24 h).
        return (moment if moment.tzinfo else moment.replace(tzinfo=dt.UTC)).astimezone(dt.UTC)
    except (ValueError, OverflowError):
        raise OgcError(
            400, "InvalidParameterValue", f"{name}: not an RFC 3339 date-time: {value!r}"
        ) from None


def _parse_datetime(value: str | None) -> tuple[dt.datetime | None, dt.datetime | None] | None:
    """None (no filter), or (changed since, as at); see the module docstring."""
    if not value:
        return None
    if "/" not in value:
        return None, _parse_instant(value, "datetime")
    start_raw, _, end_raw = value.partition("/")
    start = None if start_raw in ("", "..") else _parse_instant(start_raw, "datetime")
    end = None if end_raw in ("", "..") else _parse_instant(end_raw, "datetime")
    if start and end and start > end:
        raise OgcError(400, "InvalidParameterValue", "datetime: the start is after the end")
    return start, end


def _bbox(request: HttpRequest, user: Any) -> Polygon | None:
    raw = request.GET.get("bbox")
    if not raw:
        return None
    try:
        numbers = [float(n) for n in raw.split(",")]
    except ValueError:
        numbers = []
    if len(numbers) == 6:  # minx, miny, minz, maxx, maxy, maxz
        numbers = [numbers[0], numbers[1], numbers[3], numbers[4]]
    if len(numbers) != 4 or any(n != n or n in (float("inf"), float("-inf")) for n in numbers):
        raise OgcError(400, "InvalidParameterValue", "bbox: four numbers minx,miny,maxx,maxy")
    srid, lat_first, _ = _parse_crs(request.GET.get("bbox-crs"), user, "bbox-crs")
    if lat_first:
        numbers = [numbers[1], numbers[0], numbers[3], numbers[2]]
    minx, miny, maxx, maxy = numbers
    if srid == 4326:
        minx, maxx = max(minx, -180.0), min(maxx, 180.0)
        miny, maxy = max(miny, -90.0), min(maxy, 90.0)
    if minx > maxx or miny > maxy:
        raise OgcError(400, "InvalidParameterValue", "bbox: min is greater than max")
    poly = Polygon.from_bbox((minx, miny, maxx, maxy))
    poly.srid = srid
    return poly


def _queryset(collection: Collection, user: Any, when: tuple | None) -> Any:
    model = collection.model
    if when is None:
        queryset = model._default_manager.all()
        values = [*collection.columns, *collection.history_expressions]
        annotations = {k: e() for k, e in collection.expressions.items()}
    else:
        since, at = when
        queryset = as_of_queryset(model, (at or timezone.now()) + dt.timedelta(microseconds=1))
        if since is not None:
            queryset = queryset.filter(history_date__gte=since)
        values = list(collection.columns)
        annotations = {
            **{k: e() for k, e in collection.expressions.items()},
            **{k: e() for k, e in collection.history_expressions.items()},
        }
    queryset = scope_by_role(queryset, user, collection.codename)
    return queryset.annotate(**annotations), values, list(annotations)


def _plain(value: Any) -> Any:
    if isinstance(value, Decimal):
        return float(value)
    if isinstance(value, dt.datetime | dt.date):
        return value.isoformat()
    return value


def _collection_or_404(collection_id: str) -> Collection:
    collection = COLLECTIONS.get(collection_id)
    if collection is None:
        raise OgcError(404, "NotFound", f"No collection {collection_id!r}")
    return collection


@ogc_view
def landing(request: HttpRequest, user: Any) -> HttpResponse:
    """Landing page: links to the API definition, conformance and the collections."""
    return _json(
        {
            "title": "Pang Mu E-Smart Service – ทะเบียนทรัพย์สิน / property register",
            "description": "OGC API – Features: villages, parcels, buildings and households of the register",
            "links": [
                _link(_url(request, "landing"), "self", JSON, "this document"),
                _link(_url(request, "api"), "service-desc", OPENAPI, "the API definition"),
                _link(_url(request, "conformance"), "conformance", JSON, "conformance classes"),
                _link(_url(request, "collections"), "data", JSON, "the collections"),
            ],
        }
    )


@ogc_view
def conformance(request: HttpRequest, user: Any) -> HttpResponse:
    return _json({"conformsTo": CONFORMANCE})


def _collection_doc(
    request: HttpRequest, user: Any, collection: Collection, crs: list[str]
) -> dict[str, Any]:
    queryset, _values, _ann = _queryset(collection, user, None)
    extent = queryset.aggregate(bbox=Extent(collection.geom))["bbox"]
    # The temporal extent: from the first recorded change of any row to now (open).
    first = scope_by_role(collection.model.history.all(), user, collection.codename).aggregate(
        start=Min("history_date")
    )
    items = _url(request, "items", collection.id)
    return {
        "id": collection.id,
        "title": collection.title,
        "description": f"{collection.title_en} of the register ({collection.geometry_type})",
        "itemType": "feature",
        "links": [
            _link(_url(request, "collection", collection.id), "self", JSON, collection.title),
            _link(items, "items", GEOJSON, f"{collection.title_en} as GeoJSON"),
        ],
        "extent": {
            "spatial": {"bbox": [list(extent) if extent else [-180.0, -90.0, 180.0, 90.0]], "crs": CRS84},
            "temporal": {
                "interval": [[first["start"].isoformat() if first["start"] else None, None]],
                "trs": "http://www.opengis.net/def/uom/ISO-8601/0/Gregorian",
            },
        },
        "crs": crs,
        "storageCrs": CRS84,
    }


@ogc_view
def collections(request: HttpRequest, user: Any) -> HttpResponse:
    crs = _crs_list(user)
    return _json(
        {
            "links": [_link(_url(request, "collections"), "self", JSON, "the collections")],
            "collections": [_collection_doc(request, user, c, crs) for c in COLLECTIONS.values()],
            "crs": crs,
        }
    )


@ogc_view
def collection(request: HttpRequest, user: Any, collection_id: str) -> HttpResponse:
    coll = _collection_or_404(collection_id)
    return _json(_collection_doc(request, user, coll, _crs_list(user)))


def _geometry_expression(collection: Collection, srid: int, lat_first: bool) -> Any:
    expr: Any = collection.geom
    if srid != 4326:
        expr = Transform(expr, srid)
    elif lat_first:
        expr = FlipCoordinates(expr)
    # Degrees to 1e-15 (full double precision), metres to the micrometre.
    return AsGeoJSON(expr, precision=15 if srid == 4326 else 6)


def _feature(row: dict[str, Any], properties: list[str]) -> dict[str, Any]:
    return {
        "type": "Feature",
        "id": row["id"],
        "geometry": json.loads(row["ogc_geometry"]),
        "properties": {name: _plain(row[name]) for name in properties},
    }


@ogc_view
def items(request: HttpRequest, user: Any, collection_id: str) -> HttpResponse:
    """Features of a collection, a page at a time, with bbox, datetime, crs and property filters."""
    coll = _collection_or_404(collection_id)
    limit = min(_parse_int(request, "limit", DEFAULT_LIMIT, 1), MAX_LIMIT)
    offset = _parse_int(request, "offset", 0, 0)
    srid, lat_first, crs_uri = _parse_crs(request.GET.get("crs"), user, "crs")
    when = _parse_datetime(request.GET.get("datetime"))
    queryset, values, annotations = _queryset(coll, user, when)
    box = _bbox(request, user)
    if box is not None:
        queryset = queryset.filter(**{f"{coll.geom}__intersects": box})
    for name in PROPERTY_FILTERS[coll.id]:
        if name in request.GET:
            queryset = queryset.filter(**{name: request.GET[name]})
    matched = queryset.count()
    rows = list(
        queryset.order_by("id")
        .annotate(ogc_geometry=_geometry_expression(coll, srid, lat_first))
        .values("id", "ogc_geometry", *values, *annotations)[offset : offset + limit]
    )
    properties = [*values, *annotations]
    page = request.GET.copy()
    page["limit"] = str(limit)
    base = _url(request, "items", coll.id)
    links = [_link(f"{base}?{page.urlencode()}", "self", GEOJSON, "this page")]
    if offset + len(rows) < matched:
        page["offset"] = str(offset + limit)
        links.append(_link(f"{base}?{page.urlencode()}", "next", GEOJSON, "next page"))
    if offset > 0:
        page["offset"] = str(max(offset - limit, 0))
        links.append(_link(f"{base}?{page.urlencode()}", "prev", GEOJSON, "previous page"))
    links.append(_link(_url(request, "collection", coll.id), "collection", JSON, coll.title))
    return _json(
        {
            "type": "FeatureCollection",
            "features": [_feature(row, properties) for row in rows],
            "numberMatched": matched,
            "numberReturned": len(rows),
            "timeStamp": timezone.now().astimezone(dt.UTC).isoformat().replace("+00:00", "Z"),
            "links": links,
        },
        content_type=GEOJSON,
        headers={"Content-Crs": f"<{crs_uri}>"},
    )


@ogc_view
def item(request: HttpRequest, user: Any, collection_id: str, feature_id: str) -> HttpResponse:
    coll = _collection_or_404(collection_id)
    srid, lat_first, crs_uri = _parse_crs(request.GET.get("crs"), user, "crs")
    queryset, values, annotations = _queryset(coll, user, None)
    row = (
        queryset.filter(id=int(feature_id))
        .annotate(ogc_geometry=_geometry_expression(coll, srid, lat_first))
        .values("id", "ogc_geometry", *values, *annotations)
        .first()
    )
    if row is None:
        raise OgcError(404, "NotFound", f"No feature {feature_id} in {coll.id}")
    feature = _feature(row, [*values, *annotations])
    feature["links"] = [
        _link(_url(request, "item", coll.id, feature_id), "self", GEOJSON, "this feature"),
        _link(_url(request, "collection", coll.id), "collection", JSON, coll.title),
    ]
    return _json(feature, content_type=GEOJSON, headers={"Content-Crs": f"<{crs_uri}>"})


def _param(name: str, schema: dict[str, Any], description: str, where: str = "query") -> dict[str, Any]:
    return {
        "name": name,
        "in": where,
        "required": where == "path",
        "schema": schema,
        "description": description,
    }


@ogc_view
def api(request: HttpRequest, user: Any) -> HttpResponse:
    """An OpenAPI 3.0 definition of these endpoints."""
    base = request.build_absolute_uri(reverse("ogc:landing")).rstrip("/")
    feature_collection = {"type": "object", "required": ["type", "features"]}
    common = [_param("f", {"type": "string", "enum": ["json"]}, "format")]
    crs = _param("crs", {"type": "string", "enum": _crs_list(user)}, "output CRS (default CRS84)")
    paths: dict[str, Any] = {
        "/": {
            "get": {
                "operationId": "landing",
                "parameters": common,
                "responses": {"200": {"description": "ok"}},
            }
        },
        "/conformance": {
            "get": {
                "operationId": "conformance",
                "parameters": common,
                "responses": {"200": {"description": "ok"}},
            }
        },
        "/collections": {
            "get": {
                "operationId": "collections",
                "parameters": common,
                "responses": {"200": {"description": "ok"}},
            }
        },
    }
    for coll in COLLECTIONS.values():
        filters = [
            _param(n, {"type": "string"}, f"features whose {n} equals") for n in PROPERTY_FILTERS[coll.id]
        ]
        paths[f"/collections/{coll.id}"] = {
            "get": {
                "operationId": f"describe_{coll.id}",
                "parameters": common,
                "responses": {"200": {"description": coll.title}},
            }
        }
        paths[f"/collections/{coll.id}/items"] = {
            "get": {
                "operationId": f"items_{coll.id}",
                "parameters": [
                    *common,
                    _param(
                        "limit",
                        {"type": "integer", "minimum": 1, "maximum": MAX_LIMIT, "default": DEFAULT_LIMIT},
                        "page size",
                    ),
                    _param("offset", {"type": "integer", "minimum": 0, "default": 0}, "start index"),
                    _param(
                        "bbox",
                        {"type": "array", "items": {"type": "number"}, "minItems": 4, "maxItems": 6},
                        "minx,miny,maxx,maxy in bbox-crs",
                    ),
                    _param("bbox-crs", {"type": "string", "enum": _crs_list(user)}, "CRS of bbox"),
                    _param("datetime", {"type": "string"}, "instant or interval (RFC 3339)"),
                    crs,
                    *filters,
                ],
                "responses": {
                    "200": {"description": "features", "content": {GEOJSON: {"schema": feature_collection}}}
                },
            }
        }
        paths[f"/collections/{coll.id}/items/{{featureId}}"] = {
            "get": {
                "operationId": f"item_{coll.id}",
                "parameters": [*common, _param("featureId", {"type": "integer"}, "feature id", "path"), crs],
                "responses": {
                    "200": {"description": "a feature", "content": {GEOJSON: {"schema": {"type": "object"}}}},
                    "404": {"description": "not found"},
                },
            }
        }
    return _json(
        {
            "openapi": "3.0.3",
            "info": {"title": "Pang Mu register – OGC API – Features", "version": "1.0"},
            "servers": [{"url": base}],
            "components": {
                "securitySchemes": {"token": {"type": "apiKey", "in": "header", "name": "Authorization"}}
            },
            "security": [{"token": []}],
            "paths": paths,
        },
        content_type=OPENAPI,
    )
