"""The law behind the tax, as data with its sources: the rules of each tax year (rates, exemptions,
reductions, dates, penalties), the special reductions for listed property and the Treasury's
depreciation table. Plain Python (no Django), read by :mod:`taxes.rules` to build a year's rules.

Every entry names its source (the Act's section, the royal decree or ministerial notice, the Royal
Gazette date) and how it was checked (``checked``: what was read; ``verify``: what remains to confirm).
docs/TAX.md shows the same table.
"""

from .depreciation import TREASURY_DEPRECIATION, TREASURY_DEPRECIATION_SOURCE, depreciation_percent
from .reductions import SPECIAL_REDUCTIONS, SPECIAL_REDUCTIONS_SOURCE
from .years import COMMON_SOURCES, YEAR_LAW, YearLaw, sources_for_year, year_law

__all__ = [
    "COMMON_SOURCES",
    "SPECIAL_REDUCTIONS",
    "SPECIAL_REDUCTIONS_SOURCE",
    "TREASURY_DEPRECIATION",
    "TREASURY_DEPRECIATION_SOURCE",
    "YEAR_LAW",
    "YearLaw",
    "depreciation_percent",
    "sources_for_year",
    "year_law",
]
