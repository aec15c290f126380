"""``POST /api/v1/tax/quote``: one taxpayer's properties as JSON in, the itemised assessment out.

The request and answer are those of ``manage.py tax_quote`` (docs/TAX_QUOTE.md). Numbers with a
decimal point are read as Decimal (never float); a bad request answers 400 with every problem.
"""

from __future__ import annotations

from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema
from rest_framework.decorators import api_view, parser_classes
from rest_framework.parsers import BaseParser
from rest_framework.request import Request
from rest_framework.response import Response

from .quote import QuoteError, loads_request, quote


class DecimalJSONParser(BaseParser):
    media_type = "application/json"

    def parse(self, stream, media_type=None, parser_context=None):  # noqa: ANN001, ANN201
        return stream.read().decode("utf-8")


@extend_schema(
    summary="Itemised land and building tax quote / ประมาณการภาษีที่ดินและสิ่งปลูกสร้าง",
    description="The request and answer schemas are documented in docs/TAX_QUOTE.md.",
    request=OpenApiTypes.OBJECT,
    responses={200: OpenApiTypes.OBJECT, 400: OpenApiTypes.OBJECT},
)
@api_view(["POST"])
@parser_classes([DecimalJSONParser])
def tax_quote(request: Request) -> Response:
    try:
        data = loads_request(request.data if isinstance(request.data, str) else "", "request body")
        return Response(quote(data))
    except QuoteError as exc:
        return Response(
            {
                "code": "quote_invalid",
                "message_en": "The request is not valid",
                "message_th": "คำขอไม่ถูกต้อง",
                "problems": [{"path": path, "message": msg} for path, msg in exc.problems],
            },
            status=400,
        )
