"""Each rule of a year is shown with its source where the officer and the taxpayer read it: the tax
year's admin page, the year page and the end of every notice's calculation list (ภ.ด.ส.7)."""

from __future__ import annotations

import pytest

from gis_portal.roles import TAX_OFFICER
from taxes import pdf, services
from taxes.models import Assessment
from tests import thai_pdf_check as check
from tests.taxes.conftest import ISSUED_ON

pytestmark = pytest.mark.django_db

RD_2566 = "(ฉบับที่ 3) พ.ศ. 2566"  # the 15 % of 2023, Gazette 19 March 2023
DATES_2026 = "มท 0808.3/ว 10869"  # the Interior Ministry's two-month move of 2026


def test_the_admin_and_the_year_page_show_each_rule_with_its_decree_and_gazette_date(
    client, register, make_user, django_user_model
):
    y2023 = services.tax_year_create(organisation=register.org, year=2023)
    admin = django_user_model.objects.create_superuser("root", "root@example.org", "pw")
    client.force_login(admin)
    page = client.get(f"/admin/taxes/taxyear/{y2023.pk}/change/").content.decode()
    assert RD_2566 in page and "2023-03-19" in page and "Act Sec. 55" in page
    assert "3227/2568" in page  # the co-ownership reading and its judgment
    client.force_login(make_user("taxofficer", register.org, TAX_OFFICER))
    year_page = client.get(f"/tax/{register.org.slug}/2023/").content.decode()
    assert RD_2566 in year_page


def test_every_notice_ends_with_the_sources_of_its_years_rules(register):
    services.assess_year(organisation=register.org, year=2026)
    services.assessments_issue(tax_year=register.ty, issued_on=ISSUED_ON)
    notice = Assessment.objects.select_related("organisation", "tax_year", "party").get(party=register.c)
    with check.recording() as runs:
        pdf.notices_pdf([notice], services.tax_office_for(notice.organisation))
    texts = [r.text for r in runs]
    start = texts.index("ที่มาของอัตราและเงื่อนไขปีนี้")
    sources = texts[start + 1 :]
    assert any(DATES_2026 in t for t in sources), sources
    assert any("มาตรา" in t or "Sec." in t for t in sources)
    assert any("ราชกิจจานุเบกษา" in t and "2562" in t for t in sources)  # the Act, Gazette 12 Mar 2019
