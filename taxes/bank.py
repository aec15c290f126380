"""The bank reconciliation file: a CSV this office defines until each bank's own format is confirmed.

Format (UTF-8, comma separated, a header line; column order free, extra columns ignored)::

    bank_reference,paid_on,amount,ref1,ref2
    KTB20260430000123,2026-04-30,1234.50,2569000001,0

- ``bank_reference``: the bank's unique transaction reference (1-64 characters); a payment whose
  reference was already recorded is skipped, so importing a file twice records each payment once;
- ``paid_on``: the value date, ``YYYY-MM-DD`` (Common Era), or ``DD/MM/YYYY`` with a Buddhist-era year
  (> 2400) as Thai banks print it;
- ``amount``: baht with at most two decimals (``1,234.50`` is accepted);
- ``ref1``: the notice number printed in the QR (reference 1); ``ref2``: reference 2, may be empty.

The real statement formats of Krungthai, BAAC (ธ.ก.ส.) and the other banks the office uses are to be
confirmed and mapped onto this one (TO CONFIRM with the office's bank).
"""

from __future__ import annotations

import csv
import io
import re
from dataclasses import dataclass
from datetime import date
from decimal import Decimal, InvalidOperation

from gis_portal.errors import DomainError

COLUMNS = ("bank_reference", "paid_on", "amount", "ref1", "ref2")
_REF = re.compile(r"^[A-Za-z0-9_\-/.]{1,64}$")


@dataclass(frozen=True)
class BankRow:
    line: int
    bank_reference: str
    paid_on: date
    amount: Decimal
    ref1: str
    ref2: str


def _parse_date(text: str) -> date:
    text = text.strip()
    if re.match(r"^\d{4}-\d{2}-\d{2}$", text):
        return date.fromisoformat(text)
    m = re.match(r"^(\d{1,2})/(\d{1,2})/(\d{4})$", text)
    if m:
        year = int(m[3])
        if year > 2400:
            year -= 543
        return date(year, int(m[2]), int(m[1]))
    raise ValueError(text)


def parse_reconciliation(data: bytes | str) -> list[BankRow]:
    """Parse and check a whole file; any bad line refuses it with every problem listed."""
    if isinstance(data, bytes):
        try:
            text = data.decode("utf-8-sig")
        except UnicodeDecodeError:
            raise DomainError(
                "bank_file_encoding", "The file is not UTF-8 text", "ไฟล์ไม่ใช่ข้อความ UTF-8"
            ) from None
    else:
        text = data.lstrip("\ufeff")
    reader = csv.DictReader(io.StringIO(text))
    header = [h.strip() for h in (reader.fieldnames or [])]
    reader.fieldnames = header
    missing = [c for c in COLUMNS if c not in header and c != "ref2"]
    if missing:
        raise DomainError(
            "bank_file_columns",
            f"Columns missing: {', '.join(missing)} (needed: {', '.join(COLUMNS)})",
            f"ไม่มีคอลัมน์ {', '.join(missing)}",
        )
    rows: list[BankRow] = []
    problems: list[str] = []
    for n, raw in enumerate(reader, start=2):
        r = {k: (v or "").strip() for k, v in raw.items() if k}
        if not any(r.values()):
            continue
        ref = r.get("bank_reference", "")
        if not _REF.match(ref):
            problems.append(f"line {n}: bank_reference must be 1-64 letters, digits or - _ / . ({ref!r})")
        try:
            paid_on = _parse_date(r.get("paid_on", ""))
        except ValueError:
            problems.append(f"line {n}: paid_on must be YYYY-MM-DD or DD/MM/YYYY (BE): {r.get('paid_on')!r}")
            paid_on = date.min
        try:
            amount = Decimal(r.get("amount", "").replace(",", ""))
            if not amount.is_finite() or amount <= 0 or amount != amount.quantize(Decimal("0.01")):
                raise InvalidOperation
        except InvalidOperation:
            problems.append(
                f"line {n}: amount must be more than 0 with at most 2 decimals: {r.get('amount')!r}"
            )
            amount = Decimal(0)
        ref1 = r.get("ref1", "").upper()
        if not re.match(r"^[A-Z0-9]{1,20}$", ref1):
            problems.append(f"line {n}: ref1 must be the notice number (1-20 letters/digits): {ref1!r}")
        rows.append(BankRow(n, ref, paid_on, amount, ref1, r.get("ref2", "").upper()))
    if not rows and not problems:
        problems.append("the file has no payment lines")
    if problems:
        raise DomainError(
            "bank_file_invalid",
            "The file was not imported: " + "; ".join(problems[:20]),
            "ไม่ได้นำเข้าไฟล์: " + "; ".join(problems[:20]),
            problems=problems,
        )
    return rows
