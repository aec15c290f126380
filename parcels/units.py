"""Thai area units: 1 rai = 4 ngan = 400 square wah = 1,600 m²."""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal

SQM_PER_WAH = Decimal(4)
WAH_PER_NGAN = 100
WAH_PER_RAI = 400


def rnw_to_wah(rai: int, ngan: int, wah: Decimal | float | int) -> Decimal:
    """Rai-ngan-wah to square wah."""
    return Decimal(rai) * WAH_PER_RAI + Decimal(ngan) * WAH_PER_NGAN + Decimal(str(wah))


def rnw_to_sqm(rai: int, ngan: int, wah: Decimal | float | int) -> Decimal:
    return rnw_to_wah(rai, ngan, wah) * SQM_PER_WAH


def sqm_to_rnw(sqm: Decimal | float) -> tuple[int, int, Decimal]:
    """Square metres to (rai, ngan, square wah with one decimal)."""
    total_wah = (Decimal(str(sqm)) / SQM_PER_WAH).quantize(Decimal("0.1"), rounding=ROUND_HALF_UP)
    rai, rest = divmod(total_wah, WAH_PER_RAI)
    ngan, wah = divmod(rest, WAH_PER_NGAN)
    return int(rai), int(ngan), wah


def format_rnw(sqm: Decimal | float | None) -> str:
    """'2-1-35.0' style text (ไร่-งาน-ตร.ว.) for an area in m²."""
    if sqm is None:
        return "-"
    rai, ngan, wah = sqm_to_rnw(sqm)
    return f"{rai}-{ngan}-{wah}"
