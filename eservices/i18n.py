"""The resident page's words in Thai (default) and English, chosen by ?lang= and kept in a cookie.

A plain table instead of gettext catalogues: the page has few words, needs no compiled files, and
each label sits next to its translation where the office can check both. Other languages (Shan,
Karen, Lisu, Hmong, …) are catalogues typed by people in the browser (the languages app); a word
not yet translated shows in Thai.
"""

from __future__ import annotations

from languages import selectors as lang_selectors

LANGS = ("th", "en")
COOKIE = "eserv_lang"

WORDS: dict[str, tuple[str, str]] = {
    "title": ("บริการประชาชน", "Resident services"),
    "house_no": ("บ้านเลขที่", "House no."),
    "village": ("หมู่", "Village"),
    "map": ("แผนที่บ้านและแปลงที่ดิน", "Map of the house and its land"),
    "map_note": ("จุดแดง = บ้าน, เส้นเขียว = แปลงที่ดิน", "Red dot = house, green lines = land parcels"),
    "services": ("บริการ", "Services"),
    "my_requests": ("คำขอของบ้านนี้", "This household's requests"),
    "no_requests": ("ยังไม่มีคำขอ", "No requests yet"),
    "verify": ("ยืนยันตัวตน", "Verify"),
    "verify_why": (
        "ยืนยันตัวตนเพื่อดูเจ้าของ ที่ดิน ภาษี และสวัสดิการของบ้านนี้",
        "Verify to see this household's owners, land, taxes and welfare",
    ),
    "id_last4": ("เลขบัตรประชาชน 4 หลักท้าย ของคนในบ้าน", "Last 4 digits of a household member's ID card"),
    "birth_year": ("ปีเกิด (พ.ศ. หรือ ค.ศ.)", "Birth year (BE or CE)"),
    "or_sms": ("หรือรับรหัสทาง SMS", "Or get a code by SMS"),
    "send_code": ("ส่งรหัส", "Send code"),
    "code": ("รหัส 6 หลัก", "6-digit code"),
    "confirm": ("ยืนยัน", "Confirm"),
    "verified": ("ยืนยันตัวตนแล้ว", "Verified"),
    "verify_failed": ("ข้อมูลไม่ตรงกับทะเบียน", "The answer does not match the register"),
    "code_sent": ("ส่งรหัสไปที่", "Code sent to"),
    "owners": ("เจ้าของ", "Owners"),
    "parcels": ("ที่ดิน", "Land parcels"),
    "buildings": ("สิ่งปลูกสร้าง", "Buildings"),
    "area": ("เนื้อที่ (ไร่-งาน-ตร.ว.)", "Area (rai-ngan-sq wah)"),
    "floor_area": ("พื้นที่ใช้สอย ตร.ม.", "Floor area m²"),
    "storeys": ("ชั้น", "storeys"),
    "doc": ("เอกสารสิทธิ์", "Land document"),
    "bills": ("ภาษีที่ดินและสิ่งปลูกสร้าง", "Land and building tax"),
    "bills_unavailable": (
        "ยังดูใบแจ้งภาษีทางนี้ไม่ได้ กรุณาติดต่อ อบต.",
        "Tax bills are not available here yet; please contact the office.",
    ),
    "no_bills": ("ไม่มีภาษีค้างชำระ", "No tax due"),
    "amount": ("จำนวนเงิน (บาท)", "Amount (baht)"),
    "due": ("ชำระภายใน", "Due by"),
    "pay_qr": ("สแกนจ่ายด้วยแอปธนาคาร (พร้อมเพย์)", "Scan with any bank app to pay (PromptPay)"),
    "receipts": ("ใบเสร็จ", "Receipts"),
    "welfare": ("สวัสดิการที่อาจมีสิทธิ์", "Allowances someone may qualify for"),
    "no_welfare": ("ไม่พบผู้ที่อาจมีสิทธิ์เพิ่ม", "Nobody else appears to qualify"),
    "per_month": ("บาท/เดือน", "baht/month"),
    "income_unknown": (
        "ยังไม่มีข้อมูลรายได้ครัวเรือน อบต. จะตรวจสอบ",
        "no household income on record: the office will check",
    ),
    "to_verify": ("อัตราต้องตรวจสอบกับ อบต.", "rate to be confirmed by the office"),
    "members": ("สมาชิกในบ้าน", "Household members"),
    "age": ("อายุ", "age"),
    "fee": ("ค่าธรรมเนียม", "Fee"),
    "baht": ("บาท", "baht"),
    "submit": ("ส่งคำขอ", "Send request"),
    "sending": ("กำลังส่ง…", "Sending…"),
    "location": ("ตำแหน่ง", "Location"),
    "pin_help": ("แตะแผนที่เพื่อย้ายหมุด ถ้าจุดไม่ใช่บ้าน", "Tap the map to move the pin if the place is not the house"),
    "pin_moved": ("ย้ายหมุดแล้ว", "Pin moved"),
    "photo": ("รูปถ่าย (JPEG/PNG/WEBP ไม่เกิน 8 MB)", "Photo (JPEG/PNG/WEBP, up to 8 MB)"),
    "back": ("กลับ", "Back"),
    "request": ("คำขอ", "Request"),
    "status": ("สถานะ", "Status"),
    "timeline": ("ความคืบหน้า", "Progress"),
    "submitted_ok": ("ส่งคำขอแล้ว เลขที่", "Request sent, number"),
    "call_1669": ("โทร 1669 ฉุกเฉิน", "Call 1669 emergency"),
    "send_location": ("ส่งตำแหน่งให้ อบต. ทันที", "Send my location to the office now"),
    "gps_wait": ("กำลังหาตำแหน่ง GPS…", "Finding GPS position…"),
    "gps_ok": ("ได้ตำแหน่ง GPS แล้ว", "GPS position found"),
    "gps_none": ("ไม่มี GPS จะส่งตำแหน่งบ้าน", "No GPS: the house's location will be sent"),
    "needs_verify": ("ต้องยืนยันตัวตนก่อน", "Verify first"),
    "office_phone": ("โทร อบต.", "Call the office"),
    "lang_switch": ("English", "ภาษาไทย"),
    "target_days": ("ดำเนินการภายใน (วัน)", "Target (days)"),
    "problems": ("กรุณาแก้ไข", "Please fix"),
    "invalid_title": ("สติกเกอร์ไม่ถูกต้อง", "Sticker not valid"),
    "invalid_text": (
        "สติกเกอร์นี้ใช้ไม่ได้ กรุณาติดต่อ อบต. เพื่อขอสติกเกอร์ใหม่",
        "This sticker cannot be used. Please contact the office for a new one.",
    ),
    "locked": ("ล็อกชั่วคราว", "Locked for now"),
    "sign_out": ("ออกจากการยืนยัน", "End verified session"),
    "health_checkin": ("รายงานอาการประจำวัน (ผู้กักตัว)", "Daily check-in (home isolation)"),
    "notify": ("รับแจ้งเตือนทาง LINE หรือ SMS", "Get word by LINE or SMS"),
    "form_sent": (
        "ส่งแบบฟอร์มนี้ไปแล้ว หากกดส่งอีกครั้งจะแสดงคำขอเดิม:",
        "This form was sent already; sending it again shows that request:",
    ),
    "form_new": ("กรอกคำขอใหม่อีกฉบับ", "Fill in a new request"),
}


def words(lang: str) -> dict[str, str]:
    i = 1 if lang == "en" else 0
    return {key: pair[i] for key, pair in WORDS.items()}


class _WordsByLang(dict):
    """Thai and English built in; any other language read from its catalogue when asked for."""

    def __missing__(self, lang: str) -> dict[str, str]:
        if lang not in lang_selectors.published_codes():
            raise KeyError(lang)
        return {**self["th"], **lang_selectors.words(lang), "lang_switch": "ภาษาไทย"}


WORDS_BY_LANG = _WordsByLang({lang: words(lang) for lang in LANGS})


def is_language(code: str | None) -> bool:
    return bool(code) and (code in LANGS or code in lang_selectors.published_codes())


def pick_lang(request, default: str | None = None) -> str:  # noqa: ANN001
    """?lang=, else this browser's cookie, else ``default`` (the household's language), else Thai."""
    for lang in (request.GET.get("lang"), request.COOKIES.get(COOKIE), default):
        if is_language(lang):
            return lang
    return "th"
