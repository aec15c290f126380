"""``manage.py tax_quote FILE.json``: quote one taxpayer's Land and Building Tax from a JSON file.

A thin layer over :mod:`taxes.quote`: the request schema is documented in docs/TAX_QUOTE.md and the
examples are in docs/examples/. The itemised assessment is printed as JSON (amounts as strings);
an invalid request exits non-zero with every problem listed.
"""

from __future__ import annotations

import json
import sys
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from taxes.quote import QuoteError, load_request, loads_request, quote


class Command(BaseCommand):
    help = "Print the itemised Land and Building Tax assessment of one taxpayer's properties as JSON."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("file", help="request JSON file (see docs/TAX_QUOTE.md), or - for standard input")
        parser.add_argument("--indent", type=int, default=2, help="JSON indentation (0 for one line)")

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            if options["file"] == "-":
                data = loads_request(sys.stdin.read(), "standard input")
            else:
                data = load_request(options["file"])
            result = quote(data)
        except QuoteError as exc:
            raise CommandError(str(exc)) from exc
        indent = options["indent"] or None
        self.stdout.write(json.dumps(result, ensure_ascii=False, indent=indent))
