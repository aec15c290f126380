"""PDPA audit trail: who saw or exported personal data, when, from where and why (append-only).

Write entries with :mod:`gis_portal.audit.log`; see docs/PRIVACY.md.
"""
