"""Administrators edit statements in the real Django admin; history stays read-only there."""

import datetime

import pytest
from django.urls import reverse

from tests.factories import evidence_on, update_on
from tracker.models import Evidence, Pledge, Statement, StatementRevision, StatusUpdate
from tracker.vocabulary import Status

pytestmark = pytest.mark.django_db

JUDGES = "Japan plans to invite judges from Southeast Asian countries"


def form_values(form) -> dict:
    """What a browser would send back for an unchanged form."""
    data = {}
    for name in form.fields:
        value = form[name].value()
        if value is None or value is False:
            continue
        if value is True:
            value = "on"
        elif isinstance(value, list | tuple):
            value = [str(getattr(item, "pk", item)) for item in value]
        elif isinstance(value, datetime.date):
            value = value.isoformat()
        data[form.add_prefix(name)] = value
    return data


def change_page_data(response) -> dict:
    """The POST data of an admin change page, as the browser shows it: form and inlines."""
    data = form_values(response.context["adminform"].form)
    for inline in response.context["inline_admin_formsets"]:
        formset = inline.formset
        data.update(form_values(formset.management_form))
        for form in formset.forms:
            data.update(form_values(form))
            if formset.can_delete:
                data.pop(form.add_prefix("DELETE"), None)
    return data


def statement_url(statement: Statement) -> str:
    return reverse("admin:tracker_statement_change", args=[statement.pk])


def post_statement_text(client, statement: Statement, text: str):
    page = client.get(statement_url(statement))
    assert page.status_code == 200
    data = change_page_data(page)
    data["text"] = text
    return client.post(statement_url(statement), data)


@pytest.fixture
def admin_client_(client, administrator):
    client.force_login(administrator)
    return client


def test_the_statement_page_shows_its_pledges_inline(admin_client_, seed):
    page = admin_client_.get(statement_url(seed))
    assert page.status_code == 200
    inline = page.context["inline_admin_formsets"][0].formset
    assert inline.model is Pledge
    assert inline.initial_form_count() == 8


def test_saving_unchanged_keeps_everything_and_records_no_revision(admin_client_, seed):
    offsets = list(Pledge.objects.values_list("quote_start", "quote_end"))
    response = post_statement_text(admin_client_, seed, seed.text)
    assert response.status_code == 302
    assert list(Pledge.objects.values_list("quote_start", "quote_end")) == offsets
    assert not StatementRevision.objects.exists()


def test_text_sent_with_windows_line_breaks_is_the_same_text(admin_client_, seed):
    response = post_statement_text(admin_client_, seed, seed.text.replace("\n", "\r\n"))
    assert response.status_code == 302
    assert Statement.objects.get(pk=seed.pk).text == seed.text
    assert not StatementRevision.objects.exists()


def test_a_new_text_without_a_pledges_quote_is_refused_naming_the_pledge(admin_client_, seed):
    pledge = seed.pledges.get(quote__startswith=JUDGES)
    new_text = seed.text.replace(pledge.quote, "Japan will think about it.")
    response = post_statement_text(admin_client_, seed, new_text)
    assert response.status_code == 200
    content = response.content.decode()
    assert f"Pledge {pledge.number}: {pledge.summary}" in content
    assert "no longer contains this quote" in content
    assert Statement.objects.get(pk=seed.pk).text == seed.text
    assert not StatementRevision.objects.exists()


def test_a_quote_that_moved_in_the_new_text_takes_its_offsets_with_it(admin_client_, administrator, seed):
    before = dict(Pledge.objects.values_list("number", "quote_start"))
    preface = "Thank you, Mr. President.\n\n"
    response = post_statement_text(admin_client_, seed, preface + seed.text)
    assert response.status_code == 302
    seed.refresh_from_db()
    assert seed.text.startswith(preface)
    for pledge in seed.pledges.all():
        assert pledge.quote_start == before[pledge.number] + len(preface)
        assert seed.text[pledge.quote_start : pledge.quote_end] == pledge.quote
    revision = StatementRevision.objects.get(statement=seed)
    assert revision.changed_by == administrator
    assert revision.text_before == seed.text[len(preface) :]


def test_each_change_to_the_text_is_kept_in_order(admin_client_, seed):
    original = seed.text
    post_statement_text(admin_client_, seed, original + "\nFirst addition.")
    post_statement_text(admin_client_, seed, original + "\nSecond addition.")
    texts_before = list(
        StatementRevision.objects.order_by("changed_at", "id").values_list("text_before", flat=True)
    )
    assert texts_before == [original, original + "\nFirst addition."]


def test_a_new_pledge_whose_quote_is_not_in_the_text_is_refused(admin_client_, seed):
    page = admin_client_.get(statement_url(seed))
    data = change_page_data(page)
    extra = page.context["inline_admin_formsets"][0].formset.initial_form_count()
    prefix = f"pledges-{extra}"
    data.update(
        {
            "pledges-TOTAL_FORMS": str(extra + 1),
            f"{prefix}-number": "9",
            f"{prefix}-kind": "financial",
            f"{prefix}-actor": str(seed.entity_id),
            f"{prefix}-quote": "Japan will double its contribution.",
            f"{prefix}-summary": "Double it",
            f"{prefix}-deadline_precision": "none",
        }
    )
    response = admin_client_.post(statement_url(seed), data)
    assert response.status_code == 200
    assert "does not contain this quote" in response.content.decode()
    assert seed.pledges.count() == 8


def test_a_new_pledge_gets_its_offsets_from_its_quote(admin_client_, seed):
    page = admin_client_.get(statement_url(seed))
    data = change_page_data(page)
    extra = page.context["inline_admin_formsets"][0].formset.initial_form_count()
    prefix = f"pledges-{extra}"
    quote = "Japan welcomes the adoption of the Presidential Statement."
    data.update(
        {
            "pledges-TOTAL_FORMS": str(extra + 1),
            f"{prefix}-number": "9",
            f"{prefix}-kind": "policy_or_position",
            f"{prefix}-actor": str(seed.entity_id),
            f"{prefix}-quote": quote,
            f"{prefix}-summary": "Welcome the Presidential Statement",
            f"{prefix}-deadline_precision": "none",
        }
    )
    response = admin_client_.post(statement_url(seed), data)
    assert response.status_code == 302
    pledge = seed.pledges.get(number=9)
    assert seed.text[pledge.quote_start : pledge.quote_end] == quote
    assert pledge.status == Status.NOT_ASSESSED


def test_a_bad_field_in_the_admin_is_named_and_nothing_is_written(admin_client_, seed):
    pledge = seed.pledges.get(quote__contains="17 million")
    url = reverse("admin:tracker_pledge_change", args=[pledge.pk])
    data = form_values(admin_client_.get(url).context["adminform"].form)
    data["amount"] = "-17000000"
    response = admin_client_.post(url, data)
    assert response.status_code == 200
    assert "amount" in response.context["adminform"].form.errors
    pledge.refresh_from_db()
    assert pledge.amount > 0


@pytest.fixture
def history(seed, analyst):
    pledge = seed.pledges.get(quote__startswith=JUDGES)
    evidence = evidence_on(pledge, analyst, title="Course report")
    update = update_on(pledge, analyst, Status.FULFILLED, rationale="It happened.", evidence=[evidence])
    return update, evidence


@pytest.mark.parametrize("model", ["statusupdate", "evidence"])
def test_history_can_be_read_in_the_admin(admin_client_, history, model):
    obj = history[0] if model == "statusupdate" else history[1]
    assert admin_client_.get(reverse(f"admin:tracker_{model}_changelist")).status_code == 200
    page = admin_client_.get(reverse(f"admin:tracker_{model}_change", args=[obj.pk]))
    assert page.status_code == 200
    assert page.context["has_change_permission"] is False


@pytest.mark.parametrize("model", ["statusupdate", "evidence"])
def test_history_cannot_be_added_changed_or_deleted_in_the_admin(admin_client_, history, model):
    obj = history[0] if model == "statusupdate" else history[1]
    assert admin_client_.get(reverse(f"admin:tracker_{model}_add")).status_code == 403
    assert (
        admin_client_.post(
            reverse(f"admin:tracker_{model}_delete", args=[obj.pk]), {"post": "yes"}
        ).status_code
        == 403
    )
    admin_client_.post(
        reverse(f"admin:tracker_{model}_change", args=[obj.pk]), {"rationale": "x", "title": "x"}
    )
    assert StatusUpdate.objects.get(pk=history[0].pk).rationale == "It happened."
    assert Evidence.objects.get(pk=history[1].pk).title == "Course report"


def test_a_statement_with_history_cannot_be_deleted_in_the_admin(admin_client_, history, seed):
    response = admin_client_.post(reverse("admin:tracker_statement_delete", args=[seed.pk]), {"post": "yes"})
    assert response.status_code == 200  # the page that explains why not
    assert Statement.objects.filter(pk=seed.pk).exists()


@pytest.mark.parametrize("role", ["analyst", "manager"])
def test_analysts_and_managers_cannot_open_the_admin(client, request, seed, role):
    client.force_login(request.getfixturevalue(role))
    response = client.get(statement_url(seed))
    assert response.status_code == 302
    assert response.url.startswith(reverse("admin:login"))
