"""Permissions of the tax office's models per role (merged by gis_portal.roles.sync_roles)."""

from __future__ import annotations

TAX_MODELS = [
    "taxoffice",
    "taxyear",
    "landprice",
    "buildingcost",
    "depreciation",
    "condounitprice",
    "assessment",
    "installment",
    "payment",
    "objection",
    "refund",
]

ROLE_PERMISSIONS: dict[str, list[tuple[str, str]]] = {
    "tax officer": [
        ("taxes", f"{action}_{model}") for model in TAX_MODELS for action in ("add", "change", "view")
    ],
    # Executives read the reports with the viewer role: totals, arrears and the status map.
    "viewer": [("taxes", f"view_{model}") for model in ("taxyear", "assessment", "payment", "installment")],
}
