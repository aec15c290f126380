"""Money, shares and units of the engine: exact Decimal amounts, Fraction shares, rounding, rai-ngan-wah."""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from decimal import (
    ROUND_05UP,
    ROUND_CEILING,
    ROUND_DOWN,
    ROUND_FLOOR,
    ROUND_HALF_DOWN,
    ROUND_HALF_EVEN,
    ROUND_HALF_UP,
    ROUND_UP,
    Decimal,
    localcontext,
)
from fractions import Fraction

ZERO = Decimal("0")
NIL = Decimal("0.00")  # zero money, printed as 0.00
HUNDRED = Decimal("100")
SATANG = Decimal("0.01")

ROUNDING_MODES = frozenset(
    {
        ROUND_05UP,
        ROUND_CEILING,
        ROUND_DOWN,
        ROUND_FLOOR,
        ROUND_HALF_DOWN,
        ROUND_HALF_EVEN,
        ROUND_HALF_UP,
        ROUND_UP,
    }
)


# ---------------------------------------------------------------------------------------------------
# Money, shares and units
# ---------------------------------------------------------------------------------------------------


def _require_decimal(value: object, name: str) -> Decimal:
    if isinstance(value, bool) or not isinstance(value, Decimal | int):
        raise TypeError(f"{name} must be a Decimal (or int), not {type(value).__name__}: {value!r}")
    dec = Decimal(value)
    if not dec.is_finite():
        raise ValueError(f"{name} must be a finite number, got {value!r}")
    return dec


def to_share(value: Fraction | Decimal | int | str) -> Fraction:
    """A share in (0, 1] as an exact Fraction; accepts '1/3', '0.6', Decimal, int, Fraction."""
    if isinstance(value, bool | float):
        raise TypeError(f"a share must be exact (Fraction, Decimal, int or text like '1/3'), not {value!r}")
    try:
        share = Fraction(value.strip()) if isinstance(value, str) else Fraction(value)
    except (ValueError, ZeroDivisionError) as exc:
        raise ValueError(f"not a share: {value!r} (write it like '1/3' or '0.5')") from exc
    if not 0 < share <= 1:
        raise ValueError(f"a share must be more than 0 and at most 1, got {value!r}")
    return share


@dataclass(frozen=True)
class Rounding:
    """How amounts are rounded: to ``quantum`` (0.01 = satang) with a :mod:`decimal` rounding mode."""

    quantum: Decimal = SATANG
    mode: str = ROUND_HALF_UP

    def __post_init__(self) -> None:
        quantum = _require_decimal(self.quantum, "rounding quantum")
        if quantum <= 0 or quantum != quantum.quantize(SATANG):
            raise ValueError(f"rounding quantum must be a whole number of satang, got {self.quantum}")
        if self.mode not in ROUNDING_MODES:
            raise ValueError(f"unknown rounding mode {self.mode!r}; use one of {sorted(ROUNDING_MODES)}")


DEFAULT_ROUNDING = Rounding()


def round_money(value: Decimal | Fraction | int, rounding: Rounding = DEFAULT_ROUNDING) -> Decimal:
    """Round an exact amount (Decimal or Fraction) to the rounding quantum, exactly.

    A Fraction such as 100/3 is never expanded to a truncated decimal first: the integer quotient and
    remainder decide the rounding, so ties are recognised exactly.
    """
    if isinstance(value, float):
        raise TypeError("money is never a float")
    exact = Fraction(value) / Fraction(rounding.quantum)
    whole, rem = divmod(abs(exact.numerator), exact.denominator)
    if rem == 0:
        tail = ZERO
    elif 2 * rem == exact.denominator:
        tail = Decimal("0.5")
    elif 2 * rem < exact.denominator:
        tail = Decimal("0.4")
    else:
        tail = Decimal("0.6")
    with localcontext() as ctx:
        ctx.prec = 80
        proxy = Decimal(whole) + tail
        if exact < 0:
            proxy = -proxy
        units = proxy.quantize(Decimal(1), rounding=rounding.mode)
        result = (units * rounding.quantum).quantize(rounding.quantum)
    return result + ZERO  # normalises -0.00 to 0.00


def split_by_shares(amount: Decimal, shares: Sequence[Fraction | Decimal | int | str]) -> tuple[Decimal, ...]:
    """Split ``amount`` by ``shares`` (summing to 1) into satang that add back to ``amount`` exactly.

    Largest-remainder method: everyone gets his share rounded down to the satang, and the satang left
    over go one each to the largest remainders (ties to the earlier share). Use it where the parts must
    add up (co-owners of one appraisal, a bill split between payers).
    """
    amount = _require_decimal(amount, "amount")
    if amount != amount.quantize(SATANG):
        raise ValueError(f"amount must be whole satang, got {amount}")
    fracs = [to_share(s) for s in shares]
    if sum(fracs, Fraction(0)) != 1:
        raise ValueError(f"shares must add up to exactly 1, they add up to {sum(fracs, Fraction(0))}")
    total_satang = int(amount * 100)
    exact = [total_satang * f for f in fracs]
    floors = [e.numerator // e.denominator for e in exact]
    left = total_satang - sum(floors)
    order = sorted(range(len(fracs)), key=lambda i: (-(exact[i] - floors[i]), i))
    for i in order[:left]:
        floors[i] += 1
    return tuple((Decimal(n) / 100).quantize(SATANG) for n in floors)


_RNW = re.compile(r"^\s*(\d+)\s*-\s*(\d+)\s*-\s*(\d+(?:\.\d+)?)\s*$")


def parse_rai_ngan_wah(text: str) -> Decimal:
    """'1-2-50' (ไร่-งาน-ตร.ว.) to square wah: 1 rai = 4 ngan = 400 sq wah. '1-2-50' -> 650."""
    match = _RNW.match(text)
    if not match:
        raise ValueError(f"area {text!r} is not rai-ngan-wah like '1-2-50'")
    rai, ngan, wah = int(match[1]), int(match[2]), Decimal(match[3])
    if ngan > 3:
        raise ValueError(f"area {text!r}: ngan must be 0-3 (4 ngan = 1 rai)")
    if wah >= 100:
        raise ValueError(f"area {text!r}: square wah must be below 100 (100 sq wah = 1 ngan)")
    return Decimal(rai * 400 + ngan * 100) + wah


def _fmt_money(value: Decimal) -> str:
    return f"{value:,.2f}"


def _fmt_num(value: Decimal | Fraction | int) -> str:
    """A quantity or rate for people: '2,000', '0.3', '3/5' only when no finite decimal exists."""
    if isinstance(value, Fraction):
        den = value.denominator
        for prime in (2, 5):
            while den % prime == 0:
                den //= prime
        if den != 1:
            return f"{value.numerator}/{value.denominator}"
        value = Decimal(value.numerator) / Decimal(value.denominator)
    text = format(Decimal(value), ",f")
    if "." in text:
        text = text.rstrip("0").rstrip(".")
    return text
