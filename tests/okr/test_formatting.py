"""One way to write numbers (okr/formatting.py), the same on pages, in e-mails and in the API."""

from __future__ import annotations

from decimal import Decimal

import pytest

from okr import formatting, services
from okr.models import Activity, Confidence, KeyResult, Level, Metric
from okr.templatetags.okr_tags import measure, number, percent


@pytest.mark.parametrize(
    ("value", "shown"),
    [
        (Decimal("1200000.000000"), "1,200,000"),
        (Decimal("1234.500000"), "1,234.5"),
        (Decimal("0.000000"), "0"),
        (Decimal("-3"), "−3"),
        (Decimal("1E+2"), "100"),
        (None, ""),
    ],
)
def test_it_writes_figures_with_thousands_separators(value, shown):
    assert formatting.format_number(value) == shown


@pytest.mark.parametrize(
    ("value", "shown"), [(42, "42%"), (62.5, "62.5%"), (33.333, "33.33%"), (None, "0%")]
)
def test_it_writes_percentages_glued_to_their_sign(value, shown):
    assert formatting.format_percent(value) == shown


@pytest.mark.parametrize(
    ("metric", "unit", "value", "shown"),
    [
        (Metric.CURRENCY, "€", Decimal(1_200_000), "€1,200,000"),
        (Metric.CURRENCY, "EUR", Decimal("99.99"), "€99.99"),
        (Metric.CURRENCY, "usd", Decimal(1000), "$1,000"),
        (Metric.CURRENCY, "", Decimal(1000), "1,000"),
        (Metric.CURRENCY, "€", Decimal(-50), "−€50"),
        (Metric.NUMBER, "users", Decimal(1250), "1,250 users"),
        (Metric.NUMBER, "%", Decimal(40), "40%"),
        (Metric.PERCENT, "", Decimal("42.000000"), "42%"),
        (Metric.PERCENT, "%", Decimal("42.5"), "42.5%"),
        (Metric.MILESTONE, "", Decimal(1), "Done"),
        (Metric.MILESTONE, "", Decimal(0), "Not done"),
    ],
)
def test_it_writes_a_key_results_value_with_its_unit(metric, unit, value, shown):
    assert formatting.format_value(value, KeyResult(metric=metric, unit=unit)) == shown
    assert formatting.format_value(value, metric=metric, unit=unit) == shown


def test_the_page_filters_are_the_formatter():
    revenue = KeyResult(metric=Metric.CURRENCY, unit="€")
    assert measure(Decimal(1_200_000), revenue) == "€1,200,000"
    assert percent(42) == "42%" and number(Decimal("1670850")) == "1,670,850"


def test_the_activity_feed_and_the_api_write_a_check_in_the_same_way(alice, acme_cycle, client):
    company = services.objective_create(
        actor=alice, cycle=acme_cycle, title="Grow", level=Level.COMPANY
    )
    revenue = services.key_result_create(
        actor=alice,
        objective=company,
        title="Revenue",
        metric=Metric.CURRENCY,
        unit="€",
        target_value=Decimal(2_000_000),
    )
    services.check_in_record(
        actor=alice, key_result=revenue, value=Decimal(1_670_850), confidence=Confidence.ON_TRACK
    )
    entry = Activity.objects.get(verb="checked_in")
    assert entry.summary == "checked in €1,670,850 on “Revenue”"
    client.force_login(alice.user)
    page = client.get(f"/o/acme/objectives/{company.pk}/").content.decode()
    assert "€1,670,850" in page and "€2,000,000" in page
