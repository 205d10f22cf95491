"""The reminder e-mail: for whom, what is due, a "Check in" link each, one-click unsubscribe."""

from __future__ import annotations

import re
from decimal import Decimal

import pytest
from django.core import signing
from django.template.loader import render_to_string

from okr import reminders
from okr.models import Metric, Visibility
from tests.reminders.conftest import AT, key_result_for


@pytest.fixture
def emmas_key_results(emma, cycle):
    users = key_result_for(
        emma,
        cycle,
        title="Weekly active users",
        objective_title="Grow the community",
        unit="users",
        start_value=Decimal(1000),
        target_value=Decimal(5000),
        current_value=Decimal(2250),
        progress=31.25,
    )
    revenue = key_result_for(
        emma,
        cycle,
        title="Monthly revenue",
        metric=Metric.CURRENCY,
        unit="€",
        target_value=Decimal("12000.50"),
        current_value=Decimal(3000),
    )
    return users, revenue


def only_email(mailoutbox):
    assert len(mailoutbox) == 1
    return mailoutbox[0]


def html_of(message) -> str:
    [(html, mimetype)] = message.alternatives
    assert mimetype == "text/html"
    return html


def test_it_is_addressed_to_the_member_and_says_what_is_due(emmas_key_results, mailoutbox):
    reminders.send_reminders(AT)

    message = only_email(mailoutbox)
    assert message.to == ["emma@acme.test"]
    assert message.subject == "Acme: time to check in on 2 key results"
    assert message.body.startswith("Hi Emma,")
    assert "2 of your key results are waiting for an update" in message.body
    assert "Weekly active users" in message.body
    assert "in “Grow the community”" in message.body
    assert "Current value: 2,250 users · Target: 5,000 users · 31.25% there" in message.body
    assert "Current value: €3,000 · Target: €12,000.5" in message.body
    assert "no check-in yet" in message.body
    # 60 of the cycle's 91 days are gone: 31.25 % is more than 25 points behind the pace.
    assert "Pace: Off track (65.93% expected by today)" in message.body
    assert "Off track (65.93% expected by today)" in html_of(message)


def test_it_links_each_key_result_to_its_check_in_absolutely(acme, emmas_key_results, mailoutbox):
    reminders.send_reminders(AT)

    message = only_email(mailoutbox)
    html = html_of(message)
    for key_result in emmas_key_results:
        url = f"http://testserver/o/acme/objectives/{key_result.objective_id}/#kr-{key_result.pk}"
        assert f"Check in: {url}" in message.body
        assert f'<a href="{url}"' in html
    assert html.count(">Check in</a>") == 2


def test_it_carries_one_click_unsubscribe_headers_and_footer(emma, emmas_key_results, mailoutbox):
    reminders.send_reminders(AT)

    message = only_email(mailoutbox)
    header = message.extra_headers["List-Unsubscribe"]
    match = re.fullmatch(r"<(http://testserver/reminders/unsubscribe/([^/]+)/)>", header)
    assert match, header
    url, token = match.groups()
    assert signing.loads(token, salt=reminders.UNSUBSCRIBE_SALT) == emma.user.pk
    assert message.extra_headers["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    assert f"Stop these reminders with one click: {url}" in message.body
    assert f'<a href="{url}"' in html_of(message)
    assert "because you own key results in Acme" in message.body
    assert "Mondays at 09:00 (UTC)" in message.body


def test_its_html_is_styled_inline_and_needs_no_images(emmas_key_results, mailoutbox):
    reminders.send_reminders(AT)

    html = html_of(only_email(mailoutbox))
    assert "<img" not in html
    assert "<style" not in html
    assert "<link" not in html
    assert 'style="' in html
    assert "Weekly active users" in html


def test_it_wears_the_one_email_layout(emmas_key_results, mailoutbox):
    # The frame every e-mail shares (docs/architecture.md): what the layout renders
    # around empty blocks opens and closes the reminder too.
    reminders.send_reminders(AT)

    html = html_of(only_email(mailoutbox))
    frame = render_to_string("emails/layout.html")
    opening, closing = frame.split("<title>Cascade</title>")[0], frame.rsplit("</p>", 1)[1]
    assert html.startswith(opening + "<title>Time to check in</title>")
    assert html.endswith(closing)
    assert "Hi Emma, it’s check-in time at Acme" in html


def test_it_escapes_titles_in_the_html_part(emma, cycle, mailoutbox):
    key_result_for(emma, cycle, title="<b>Ship</b> & tell")

    reminders.send_reminders(AT)

    message = only_email(mailoutbox)
    assert "&lt;b&gt;Ship&lt;/b&gt; &amp; tell" in html_of(message)
    assert "<b>Ship</b> & tell" in message.body  # the text part is plain text
    assert message.subject == "Acme: time to check in on “<b>Ship</b> & tell”"


def test_a_line_break_in_a_title_never_reaches_the_subject(emma, cycle, mailoutbox):
    key_result_for(emma, cycle, title="Ship\r\nBcc: victim@example.com")

    reminders.send_reminders(AT)

    message = only_email(mailoutbox)
    assert "\n" not in message.subject and "\r" not in message.subject
    assert message.message()["Bcc"] is None


def test_private_objectives_never_reach_anybody_elses_e_mail(alice, mark, emma, cycle, mailoutbox):
    # Mark's private objective; Emma owns one of its key results, so she may see it.
    secret = key_result_for(
        mark,
        cycle,
        objective_title="Quietly replace the billing system",
        visibility=Visibility.PRIVATE,
    )
    key_result_for(emma, cycle, objective=secret.objective, title="Migrate invoices")
    key_result_for(alice, cycle, title="Hire two engineers")

    reminders.send_reminders(AT)

    by_recipient = {m.to[0]: m.body + html_of(m) for m in mailoutbox}
    assert set(by_recipient) == {"alice@acme.test", "mark@acme.test", "emma@acme.test"}
    assert "Quietly replace the billing system" not in by_recipient["alice@acme.test"]
    assert "Migrate invoices" in by_recipient["emma@acme.test"]
    assert "Migrate invoices" not in by_recipient["mark@acme.test"]


@pytest.mark.parametrize(
    ("metric", "unit", "value", "shown"),
    [
        (Metric.NUMBER, "", Decimal("42.000000"), "42"),
        (Metric.NUMBER, "tickets", Decimal("1234.5"), "1,234.5 tickets"),
        (Metric.PERCENT, "", Decimal("62.5"), "62.5%"),
        (Metric.CURRENCY, "$", Decimal("1000000"), "$1,000,000"),
        (Metric.CURRENCY, "EUR", Decimal("99.99"), "€99.99"),
        (Metric.MILESTONE, "", Decimal(0), "Not done"),
        (Metric.MILESTONE, "", Decimal(1), "Done"),
    ],
)
def test_it_writes_figures_as_people_do(metric, unit, value, shown):
    from okr.models import KeyResult

    assert reminders.format_value(value, KeyResult(metric=metric, unit=unit)) == shown
