"""Special reductions for listed types of property (Sec. 55; Royal Decree B.E. 2563).

พระราชกฤษฎีกาลดภาษีที่ดินและสิ่งปลูกสร้าง พ.ศ. 2563, Royal Gazette 20 January 2020, in force from
1 January 2020: 50 % (section 3) or 90 % (section 4) of the tax of the property listed. Recorded on a
parcel or a building with the decree's item (the code below); the yearly run and the quote take it off
the tax attributed to that property. How it stacks with a year's general reduction is per-year data
(``reduction_skips_special_percents``: RD No. 3 B.E. 2566 gave the 50 % property its 15 % too, so it
paid 42.5 %, and gave the 90 % property none).
"""

from __future__ import annotations

SPECIAL_REDUCTIONS_SOURCE = {
    "rule": "special_reductions",
    "title_th": "พระราชกฤษฎีกาลดภาษีที่ดินและสิ่งปลูกสร้าง พ.ศ. 2563",
    "title_en": "Royal Decree on Land and Building Tax Reduction B.E. 2563 (2020)",
    "section": "Act Sec. 55; decree sections 3 (50 %) and 4 (90 %)",
    "gazette": "2020-01-20",
    "in_force": "2020-01-01",
    "checked": "news reports of the Gazette text (matichonweekly.com 2020-01-21, prop2morrow.com 2020-01-20, "
    "dharmniti.co.th); items as summarised there",
    "verify": "each item's full wording and conditions in the Gazette",
}

#: code -> (percent, Thai name, English name, reference)
SPECIAL_REDUCTIONS: dict[str, tuple[str, str, str, str]] = {
    "rd2563.s3.1": (
        "50",
        "ที่อยู่อาศัยของบุคคลธรรมดาที่มีชื่อในทะเบียนบ้าน ได้มาโดยทางมรดกและจดทะเบียนก่อน 13 มี.ค. 2562",
        "an individual's registered home acquired by inheritance, registered before 13 March 2019",
        "พ.ร.ฎ. ลดภาษีที่ดินฯ พ.ศ. 2563 ม.3 (1)",
    ),
    "rd2563.s3.2": (
        "50",
        "ที่ดินที่เป็นที่ตั้งโรงผลิตไฟฟ้า และที่ดินหรือสิ่งปลูกสร้างที่ใช้เกี่ยวกับการผลิตไฟฟ้า",
        "land of a power plant and land or buildings used for producing electricity",
        "พ.ร.ฎ. ลดภาษีที่ดินฯ พ.ศ. 2563 ม.3 (2)",
    ),
    "rd2563.s3.3": (
        "50",
        "ที่ดินและสิ่งปลูกสร้างที่ใช้เป็นเขื่อนเพื่อการผลิตไฟฟ้า",
        "land and buildings of a dam for producing electricity",
        "พ.ร.ฎ. ลดภาษีที่ดินฯ พ.ศ. 2563 ม.3 (3)",
    ),
    "rd2563.s4.1": (
        "90",
        "ที่ดินและสิ่งปลูกสร้างของโครงการจัดสรรที่ดินหรืออาคารชุดที่ยังไม่ได้จำหน่าย (ได้รับอนุญาตไม่เกิน 3 ปี)",
        "unsold land and buildings of a licensed housing or condominium project (licensed up to 3 years)",
        "พ.ร.ฎ. ลดภาษีที่ดินฯ พ.ศ. 2563 ม.4 (1)",
    ),
    "rd2563.s4.2": (
        "90",
        "อสังหาริมทรัพย์รอการขายของสถาบันการเงินและหน่วยงานที่กำหนด ที่ได้มาไม่เกิน 5 ปี",
        "real estate held for sale by a financial institution or listed body, acquired up to 5 years ago",
        "พ.ร.ฎ. ลดภาษีที่ดินฯ พ.ศ. 2563 ม.4 (2)",
    ),
    "rd2563.s4.3": (
        "90",
        "ที่ดินและสิ่งปลูกสร้างของสถาบันอุดมศึกษาเอกชนและโรงเรียนเอกชน",
        "land and buildings of a private higher-education institution or private school",
        "พ.ร.ฎ. ลดภาษีที่ดินฯ พ.ศ. 2563 ม.4 (3)",
    ),
}
