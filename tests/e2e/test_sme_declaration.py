"""An owner declares a linked enterprise in a real browser, typing numbers the French way, and
sees the size class follow; a refused share is shown beside its field."""

import re
from decimal import Decimal

import pytest
from playwright.sync_api import expect

from companies import services
from companies.models import Organisation, RelatedEnterprise, SizeClass
from tests.factories import OrganisationFactory, make_member

from .browser import assert_styled, log_in, shot

# Like the other journeys: the live server's transactional database is restored afterwards for
# the next serialized_rollback test (left flushed, they failed to set up).
pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)


def test_an_owner_declares_a_linked_enterprise_in_french(page, live_server):
    organisation = OrganisationFactory(
        name="Atelier Dupont SRL", headcount=Decimal(30), turnover=Decimal(4_000_000)
    )
    services.organisations._derive(organisation)
    organisation.save()
    owner = make_member(organisation)
    log_in(page, live_server, owner)

    page.goto(f"/organisations/{organisation.pk}/")
    page.locator(f"main a[href='/organisations/{organisation.pk}/entreprises-liees/']").click()
    page.wait_for_url(re.compile(r"/entreprises-liees/$"))
    assert_styled(page)
    page.fill("input[name=related-0-name]", "Maison Mère SA")
    page.fill("input[name=related-0-enterprise_number]", "0202.239.951")
    page.select_option("select[name=related-0-relation]", "linked")
    page.fill("input[name=related-0-share]", "50")
    page.fill("input[name=related-0-headcount]", "300,5")
    page.fill("input[name=related-0-turnover]", "60.000.000")
    shot(page, "sme-01-declaration")
    page.locator("main form button[type=submit]").click()

    # 50 % is a partner's share, not a linked enterprise's: refused beside the field.
    expect(page.locator("#id_related-0-share_error")).to_be_visible()
    expect(page.locator(".error-summary")).to_be_focused()
    shot(page, "sme-02-refused-share")
    page.fill("input[name=related-0-share]", "50,01")
    page.locator("main form button[type=submit]").click()

    page.wait_for_url(re.compile(rf"/organisations/{organisation.pk}/$"))
    row = RelatedEnterprise.objects.get()
    assert (row.share, row.headcount, row.turnover) == (
        Decimal("50.01"),
        Decimal("300.5"),
        Decimal(60_000_000),
    )
    assert Organisation.objects.get().size_class == SizeClass.LARGE
    page.goto(f"/organisations/{organisation.pk}/entreprises-liees/")
    expect(page.locator("input[name=related-0-headcount]")).to_have_value("300,5")
    shot(page, "sme-03-saved")
