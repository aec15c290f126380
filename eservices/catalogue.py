"""The office's seeded service catalogue and welfare rules (data; the office edits them in the admin).

Fees and allowance amounts are marked to verify against the office's fee ordinance and the current
regulations (see docs/DOMAIN.md); seeding never overwrites what the office has edited.
"""

from __future__ import annotations

from decimal import Decimal

from django.db import transaction

from parcels.models import Organisation

from .models import ServiceType, WelfareRule

PHOTO = {"name": "photo", "label_th": "รูปถ่าย", "label_en": "Photo", "required": False}
PHOTO_REQUIRED = {**PHOTO, "required": True}
DETAILS = {
    "name": "details",
    "label_th": "รายละเอียด",
    "label_en": "Details",
    "type": "textarea",
    "required": False,
}
PHONE = {
    "name": "phone",
    "label_th": "เบอร์โทรติดต่อ",
    "label_en": "Contact phone",
    "type": "tel",
    "required": True,
}

SERVICES: list[dict] = [
    {
        "code": "emergency",
        "kind": "emergency",
        "icon": "ambulance",
        "position": 1,
        "target_days": 1,
        "name_th": "ขอความช่วยเหลือฉุกเฉินทางการแพทย์",
        "name_en": "Emergency medical help",
        "description_th": "โทร 1669 ก่อน แล้วกดส่งตำแหน่งบ้านและ GPS ของโทรศัพท์ให้ อบต. ทันที",
        "description_en": (
            "Call 1669 first, then send the house's location and the phone's GPS to the office at once."
        ),
        "form_fields": [],
        "required_attachments": [],
        "workflow_states": [
            {"code": "submitted", "name_th": "แจ้งเหตุแล้ว", "name_en": "Alert sent", "final": False},
            {"code": "dispatched", "name_th": "ส่งทีมแล้ว", "name_en": "Team dispatched", "final": False},
            {"code": "done", "name_th": "ช่วยเหลือแล้ว", "name_en": "Helped", "final": True},
            {"code": "cancelled", "name_th": "ยกเลิก", "name_en": "Cancelled", "final": True},
        ],
    },
    {
        "code": "septic_pumping",
        "kind": "general",
        "icon": "truck",
        "position": 10,
        "target_days": 7,
        "fee": Decimal("300.00"),
        "name_th": "ขอสูบสิ่งปฏิกูล (ส้วม)",
        "name_en": "Septic sludge pumping",
        "description_th": "มีค่าธรรมเนียมตามข้อบัญญัติ อบต. (ตรวจสอบอัตรา) ชำระเมื่อรถไปถึง",
        "description_en": "A fee under the office's ordinance (rate to verify), paid when the truck arrives.",
        "form_fields": [
            {
                "name": "tank_size",
                "label_th": "ขนาดบ่อ",
                "label_en": "Tank size",
                "type": "choice",
                "required": True,
                "choices": [
                    ["small", "เล็ก (ไม่เกิน 2 ลบ.ม.)", "Small (up to 2 m³)"],
                    ["large", "ใหญ่ (เกิน 2 ลบ.ม.)", "Large (over 2 m³)"],
                ],
            },
            {
                "name": "preferred_date",
                "label_th": "วันที่สะดวก",
                "label_en": "Preferred date",
                "type": "date",
                "required": False,
            },
            PHONE,
            DETAILS,
        ],
        "required_attachments": [PHOTO],
    },
    {
        "code": "water_connection",
        "kind": "general",
        "icon": "water",
        "position": 20,
        "target_days": 15,
        "name_th": "ขอติดตั้งประปาหมู่บ้าน",
        "name_en": "Water supply connection",
        "description_th": "ขอต่อน้ำประปาหมู่บ้านเข้าบ้าน",
        "description_en": "Connect the house to the village water supply.",
        "form_fields": [PHONE, DETAILS],
        "required_attachments": [PHOTO],
    },
    {
        "code": "commercial_registration",
        "kind": "general",
        "icon": "shop",
        "position": 30,
        "target_days": 7,
        "name_th": "จดทะเบียนพาณิชย์",
        "name_en": "Commercial registration",
        "form_fields": [
            {
                "name": "business_name",
                "label_th": "ชื่อร้าน",
                "label_en": "Business name",
                "type": "text",
                "required": True,
            },
            {
                "name": "business_kind",
                "label_th": "ประเภทกิจการ",
                "label_en": "Kind of business",
                "type": "text",
                "required": True,
            },
            PHONE,
            DETAILS,
        ],
        "required_attachments": [],
    },
    {
        "code": "health_licence",
        "kind": "general",
        "icon": "doc",
        "position": 40,
        "target_days": 30,
        "name_th": "ขออนุญาตประกอบกิจการที่เป็นอันตรายต่อสุขภาพ",
        "name_en": "Health-hazard business licence",
        "form_fields": [
            {
                "name": "business_kind",
                "label_th": "ประเภทกิจการ",
                "label_en": "Kind of business",
                "type": "text",
                "required": True,
            },
            PHONE,
            DETAILS,
        ],
        "required_attachments": [PHOTO],
    },
    {
        "code": "welfare_check",
        "kind": "welfare",
        "icon": "people",
        "position": 50,
        "target_days": 15,
        "requires_verification": True,
        "name_th": "ตรวจสิทธิ์สวัสดิการ (ผู้สูงอายุ คนพิการ เด็กแรกเกิด)",
        "name_en": "Welfare check (elderly, disability, newborn)",
        "description_th": "ดูว่าใครในบ้านอาจมีสิทธิ์และยังไม่ได้ลงทะเบียน แล้วขอให้ อบต. ติดต่อกลับ",
        "description_en": (
            "See who in the household may qualify and is not yet registered, and ask the office to follow up."
        ),
        "form_fields": [PHONE, DETAILS],
        "required_attachments": [],
    },
    {
        "code": "infrastructure",
        "kind": "report",
        "icon": "light",
        "position": 60,
        "target_days": 7,
        "name_th": "แจ้งปัญหาถนน ไฟฟ้าส่องสว่าง ท่อประปา",
        "name_en": "Report road, street light or water pipe",
        "description_th": "ปักหมุดจุดที่มีปัญหาบนแผนที่และแนบรูป",
        "description_en": "Put the pin where the problem is and add a photo.",
        "form_fields": [
            {
                "name": "problem",
                "label_th": "ปัญหา",
                "label_en": "Problem",
                "type": "choice",
                "required": True,
                "choices": [
                    ["road", "ถนนชำรุด", "Damaged road"],
                    ["light", "ไฟส่องสว่างดับ", "Street light out"],
                    ["pipe", "ท่อประปาแตก", "Broken water pipe"],
                ],
            },
            DETAILS,
        ],
        "required_attachments": [PHOTO_REQUIRED],
    },
    {
        "code": "public_health",
        "kind": "report",
        "icon": "health",
        "position": 70,
        "target_days": 7,
        "name_th": "แจ้งปัญหาสาธารณสุข (ยุง ขยะ กลิ่น)",
        "name_en": "Public-health report (mosquitoes, waste, smell)",
        "form_fields": [DETAILS | {"required": True}],
        "required_attachments": [PHOTO],
    },
    {
        "code": "tax_payment",
        "kind": "tax",
        "icon": "card",
        "position": 80,
        "target_days": 3,
        "requires_verification": True,
        "name_th": "ชำระภาษีที่ดินและสิ่งปลูกสร้าง",
        "name_en": "Land and building tax payment",
        "description_th": "ดูใบแจ้งภาษีและชำระด้วย QR พร้อมเพย์ หลังยืนยันตัวตน",
        "description_en": "See tax bills and pay by PromptPay QR after verifying.",
        "form_fields": [PHONE, DETAILS],
        "required_attachments": [],
    },
]

WELFARE_RULES: list[dict] = [
    # DOMAIN.md: elderly allowance by age band (verify current amounts).
    {"program": "elderly", "min_age": 60, "max_age": 69, "monthly_amount": Decimal("600")},
    {"program": "elderly", "min_age": 70, "max_age": 79, "monthly_amount": Decimal("700")},
    {"program": "elderly", "min_age": 80, "max_age": 89, "monthly_amount": Decimal("800")},
    {"program": "elderly", "min_age": 90, "max_age": None, "monthly_amount": Decimal("1000")},
    {
        "program": "disability",
        "min_age": 0,
        "max_age": 17,
        "monthly_amount": Decimal("1000"),
        "condition_th": "มีบัตรประจำตัวคนพิการ",
        "condition_en": "holds a disability card",
        "requires_disability_card": True,
    },
    {
        "program": "disability",
        "min_age": 18,
        "max_age": None,
        "monthly_amount": Decimal("800"),
        "condition_th": "มีบัตรประจำตัวคนพิการ",
        "condition_en": "holds a disability card",
        "requires_disability_card": True,
    },
    {
        "program": "newborn",
        "min_age": 0,
        "max_age": 5,
        "monthly_amount": Decimal("600"),
        "condition_th": "ครัวเรือนรายได้เฉลี่ยไม่เกิน 100,000 บาท/คน/ปี",
        "condition_en": "household income up to 100,000 baht per person a year",
        "max_income_per_person": Decimal("100000"),
    },
]


@transaction.atomic
def seed_services(organisation: Organisation) -> tuple[int, int]:
    """Add the catalogue's missing service types and welfare rules; never changes existing rows."""
    created = 0
    for spec in SERVICES:
        _, new = ServiceType.objects.get_or_create(
            organisation=organisation,
            code=spec["code"],
            defaults={k: v for k, v in spec.items() if k != "code"},
        )
        created += new
    rules = 0
    for rule in WELFARE_RULES:
        _, new = WelfareRule.objects.get_or_create(
            program=rule["program"],
            min_age=rule["min_age"],
            defaults={k: v for k, v in rule.items() if k not in ("program", "min_age")},
        )
        rules += new
    return created, rules
