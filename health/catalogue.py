"""Seed data of the health app (the office edits it in the admin; seeding never overwrites edits).

Container kinds follow the groups of the national larval survey form; thresholds and isolation
days are marked with their source and must be checked against the current guidance of the
Department of Disease Control before use.
"""

from __future__ import annotations

from decimal import Decimal

from django.db import transaction

from parcels.models import Organisation

from .models import ContainerKind, Disease, IndexThreshold

CONTAINER_KINDS = [
    ("jar", "jar", "โอ่งน้ำ", "Water jar", 10),
    ("tank", "tank", "ถังน้ำ บ่อซีเมนต์ ที่เก็บน้ำ", "Water tank or cistern", 20),
    ("bucket", "bucket", "ถัง กะละมัง ภาชนะใช้ในบ้าน", "Bucket or basin", 30),
    ("vase", "vase", "แจกัน จานรองกระถาง ขาตู้กันมด", "Vase, plant saucer or ant trap", 40),
    ("tyre", "tyre", "ยางรถยนต์เก่า", "Old tyre", 50),
    ("waste", "trash", "ภาชนะที่ไม่ใช้ (กระป๋อง กะลา ขวด)", "Discarded container (can, shell, bottle)", 60),
]

THRESHOLDS = [
    ("HI", Decimal("10"), "กรมควบคุมโรค: เป้าหมายชุมชน HI < 10 (ตรวจสอบ) / DDC community target (verify)"),
    ("CI", Decimal("21"), "WHO density figure 5 (CI 21–28): high transmission risk (verify)"),
    ("BI", Decimal("50"), "WHO density figure 5 (BI 50–74): high transmission risk (verify)"),
]

SYMPTOMS = [
    {"code": "fever", "name_th": "มีไข้", "name_en": "Fever", "icon": "thermo"},
    {"code": "cough", "name_th": "ไอ", "name_en": "Cough", "icon": "chat"},
    {"code": "sore_throat", "name_th": "เจ็บคอ", "name_en": "Sore throat", "icon": "warn"},
    {"code": "breathless", "name_th": "หายใจเหนื่อย หอบ", "name_en": "Short of breath", "icon": "ambulance"},
    {"code": "no_smell", "name_th": "ไม่ได้กลิ่น ลิ้นไม่รับรส", "name_en": "Lost smell or taste", "icon": "meh"},
]

DISEASES = [
    {
        "code": "covid19",
        "name_th": "โควิด-19",
        "name_en": "Covid-19",
        "isolation_days": 5,
        "contact_days": 0,
        "symptoms": SYMPTOMS,
        "source": "แนวทางกรมควบคุมโรค พ.ศ. 2566: แยกกักตัว 5 วัน (ตรวจสอบฉบับล่าสุด) / DDC 2023 (verify)",
    },
]


@transaction.atomic
def seed_health(organisation: Organisation) -> int:
    """Add the missing container kinds, thresholds and diseases; returns how many rows were added."""
    added = 0
    for code, icon, name_th, name_en, position in CONTAINER_KINDS:
        _, new = ContainerKind.objects.get_or_create(
            organisation=organisation,
            code=code,
            defaults={"icon": icon, "name_th": name_th, "name_en": name_en, "position": position},
        )
        added += new
    for index, value, source in THRESHOLDS:
        _, new = IndexThreshold.objects.get_or_create(
            organisation=organisation, index=index, defaults={"value": value, "source": source}
        )
        added += new
    for spec in DISEASES:
        _, new = Disease.objects.get_or_create(
            organisation=organisation,
            code=spec["code"],
            defaults={k: v for k, v in spec.items() if k != "code"},
        )
        added += new
    return added
