"""Administrators edit statements in the real Django admin; history stays read-only there."""

import pytest
from django.contrib.staticfiles import finders
from django.test.html import Element, parse_html
from django.urls import reverse

from tests.factories import evidence_on, update_on
from tests.helpers import form_values
from tracker import services
from tracker.importing.drafts import draft_from_text
from tracker.models import Evidence, Pledge, Statement, StatementRevision, StatusUpdate, Theme
from tracker.vocabulary import Status

pytestmark = pytest.mark.django_db

JUDGES = "Japan plans to invite judges from Southeast Asian countries"


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


def post_new_pledge(client, seed, quote: str, **fields):
    """The statement's admin page posted with one new pledge row quoting `quote`."""
    page = client.get(statement_url(seed))
    data = change_page_data(page)
    extra = page.context["inline_admin_formsets"][0].formset.initial_form_count()
    prefix = f"pledges-{extra}"
    data.update(
        {
            "pledges-TOTAL_FORMS": str(extra + 1),
            f"{prefix}-number": "9",
            f"{prefix}-kind": "policy_or_position",
            f"{prefix}-actor": str(seed.entity_id),
            f"{prefix}-quote": quote,
            f"{prefix}-summary": "A pledge",
            f"{prefix}-deadline_precision": "none",
            **{f"{prefix}-{name}": value for name, value in fields.items()},
        }
    )
    return client.post(statement_url(seed), data)


def test_a_new_pledge_whose_quote_is_not_in_the_text_is_refused(admin_client_, seed):
    response = post_new_pledge(admin_client_, seed, "Japan will double its contribution.", kind="financial")

    assert response.status_code == 200
    assert "does not contain this quote" in response.content.decode()
    assert seed.pledges.count() == 8


def test_a_new_pledge_gets_its_offsets_from_its_quote(admin_client_, seed):
    quote = "Japan welcomes the adoption of the Presidential Statement."

    response = post_new_pledge(admin_client_, seed, quote, summary="Welcome the Presidential Statement")

    assert response.status_code == 302
    pledge = seed.pledges.get(number=9)
    assert seed.text[pledge.quote_start : pledge.quote_end] == quote
    assert pledge.status == Status.NOT_ASSESSED


def test_a_quote_typed_with_straight_quote_marks_takes_the_texts_curly_ones(admin_client_, seed):
    typed = '"promotion of the rule of law."'

    response = post_new_pledge(admin_client_, seed, typed)

    assert response.status_code == 302
    pledge = seed.pledges.get(number=9)
    assert pledge.quote == '"promotion of the rule of law.”'
    assert seed.text[pledge.quote_start : pledge.quote_end] == pledge.quote


def test_a_new_quote_found_twice_in_the_text_is_refused_naming_both_places(admin_client_, seed):
    starts = [i for i in range(len(seed.text)) if seed.text.startswith("the international community", i)]

    response = post_new_pledge(admin_client_, seed, "the international community")

    assert response.status_code == 200
    page = response.content.decode()
    assert "These words appear more than once in the text" in page
    assert ", ".join(str(start) for start in starts) in page
    assert seed.pledges.count() == 8


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


def test_proposed_pledges_can_be_read_in_the_admin_but_not_changed(admin_client_, db):
    text = (
        "Statement by Peru at the General Assembly\n2 May 2024\n\nMr. President,\n\n"
        "Peru will host a conference."
    )
    statement = services.import_statement(draft=draft_from_text("p.txt", text), imported_by=None).statement
    proposal = statement.proposals.get()

    listing = admin_client_.get(reverse("admin:tracker_proposedpledge_changelist"))
    assert listing.status_code == 200
    assert str(proposal) in listing.content.decode()
    change = admin_client_.get(reverse("admin:tracker_proposedpledge_change", args=[proposal.pk]))
    assert change.status_code == 200
    assert "Peru will host a conference." in change.content.decode()
    assert not change.context["has_change_permission"]
    assert admin_client_.get(reverse("admin:tracker_proposedpledge_add")).status_code == 403


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


# --- the statement's page: a tall text box, compact pledges, errors linked to their place ---


def elements(node, path=()):
    """Every element of a page parsed by parse_html, with the elements it sits in."""
    for child in getattr(node, "children", []):
        if isinstance(child, Element):
            yield child, path
            yield from elements(child, (*path, child))


def attribute(element: Element, name: str) -> str | None:
    return dict(element.attributes).get(name)


def element_with_id(page, element_id: str) -> tuple[Element, tuple]:
    found = [(el, path) for el, path in elements(page) if attribute(el, "id") == element_id]
    assert len(found) == 1, f"expected one element with id {element_id!r}, found {len(found)}"
    return found[0]


def text_of(node) -> str:
    if isinstance(node, str):
        return node
    return " ".join(text_of(child) for child in node.children)


def parsed(response):
    return parse_html(response.content.decode())


def row_of(response, pledge: Pledge) -> int:
    """The index of the pledge's row in the statement page's inline."""
    forms = response.context["inline_admin_formsets"][0].formset.forms
    return next(i for i, form in enumerate(forms) if form.instance.pk == pledge.pk)


def test_the_statement_text_has_a_tall_full_width_box(admin_client_, seed):
    page = admin_client_.get(statement_url(seed))
    box, _ = element_with_id(parsed(page), "id_text")
    assert box.name == "textarea"
    assert int(attribute(box, "rows")) >= 30
    assert "statement-text" in attribute(box, "class").split()
    # Its width and font come from the admin stylesheet: the CSP allows no inline style.
    assert "tracker/admin.css" in page.content.decode()
    assert finders.find("tracker/admin.css")


def test_each_pledge_shows_its_quote_in_a_small_box_and_folds_the_less_used_fields(admin_client_, seed):
    page = admin_client_.get(statement_url(seed))
    tree = parsed(page)
    quote, _ = element_with_id(tree, "id_pledges-0-quote")
    assert int(attribute(quote, "rows")) <= 4
    _, path = element_with_id(tree, "id_pledges-0-deadline_on")
    assert "details" in [element.name for element in path], "folded until asked for"


def test_a_bad_quote_is_listed_at_the_top_with_a_link_to_its_pledges_row(admin_client_, seed):
    pledge = seed.pledges.get(quote__startswith=JUDGES)
    response = post_statement_text(admin_client_, seed, seed.text.replace(pledge.quote, "Japan will see."))
    assert response.status_code == 200
    tree = parsed(response)
    summary = next(el for el, _ in elements(tree) if "error-summary" in (attribute(el, "class") or ""))
    links = [el for el, _ in elements(summary) if el.name == "a"]
    assert len(links) == 1, "one error, said once"
    assert text_of(links[0]) == f"Pledge {pledge.number}, quote"
    assert "no longer contains this quote" in text_of(summary)
    target = attribute(links[0], "href")
    row = row_of(response, pledge)
    assert target == f"#pledges-{row}"
    row_element, _ = element_with_id(tree, target[1:])
    ids_in_row = {attribute(el, "id"): el for el, _ in elements(row_element)}
    assert attribute(ids_in_row[f"id_pledges-{row}-id"], "value") == str(pledge.pk)
    assert "no longer contains this quote" in text_of(row_element)
    # The summary comes before the fields: right under "Please correct the error below".
    content = response.content.decode()
    assert content.index("error-summary") < content.index('id="id_title"')


def test_an_error_in_a_folded_field_unfolds_it(admin_client_, seed):
    pledge = seed.pledges.get(quote__startswith=JUDGES)
    page = admin_client_.get(statement_url(seed))
    row = row_of(page, pledge)
    data = change_page_data(page)
    data[f"pledges-{row}-currency"] = "USD"  # a currency needs an amount
    response = admin_client_.post(statement_url(seed), data)
    assert response.status_code == 200
    _, path = element_with_id(parsed(response), f"id_pledges-{row}-currency")
    assert "details" not in [element.name for element in path]
    assert f'href="#pledges-{row}"' in response.content.decode()


def test_an_earlier_text_shows_its_first_words_and_a_link_to_all_of_it(admin_client_, seed):
    assert post_statement_text(admin_client_, seed, "Thank you.\n\n" + seed.text).status_code == 302
    revision = StatementRevision.objects.get(statement=seed)
    page = admin_client_.get(statement_url(seed)).content.decode()
    whole = reverse("admin:tracker_statementrevision_change", args=[revision.pk])
    assert f'href="{whole}"' in page
    assert f"({len(revision.text_before):,} characters)" in page
    assert admin_client_.get(whole).status_code == 200


# --- deleting: history is never deleted, and the page says what to do instead ---


@pytest.fixture
def pledge_with_history(seed, analyst):
    pledge = seed.pledges.get(quote__startswith=JUDGES)
    evidence = evidence_on(pledge, analyst, title="Course report")
    update_on(pledge, analyst, Status.IN_PROGRESS, rationale="Invitations sent.", evidence=[evidence])
    update_on(pledge, analyst, Status.FULFILLED, rationale="It happened.", evidence=[evidence])
    return pledge


def test_deleting_a_pledge_with_history_says_why_and_how_to_mark_it_withdrawn(
    admin_client_, pledge_with_history
):
    pledge = pledge_with_history
    url = reverse("admin:tracker_pledge_delete", args=[pledge.pk])
    for response in (admin_client_.get(url), admin_client_.post(url, {"post": "yes"})):
        assert response.status_code == 200
        content = response.content.decode()
        assert (
            f"Pledge {pledge.number} has 2 status updates and 1 piece of evidence; history is never deleted."
            in content
        )
        assert f'href="{reverse("pledge_detail", args=[pledge.pk])}' in content
        assert "Withdrawn" in content
        assert "permission" not in content
    assert Pledge.objects.filter(pk=pledge.pk).exists()


def test_a_pledge_without_history_can_still_be_deleted(admin_client_, seed):
    pledge = seed.pledges.get(quote__startswith=JUDGES)
    url = reverse("admin:tracker_pledge_delete", args=[pledge.pk])
    assert "Are you sure" in admin_client_.get(url).content.decode()
    assert admin_client_.post(url, {"post": "yes"}).status_code == 302
    assert not Pledge.objects.filter(pk=pledge.pk).exists()


def test_deleting_a_statement_whose_pledges_have_history_names_them_and_the_way_forward(
    admin_client_, pledge_with_history, seed
):
    response = admin_client_.get(reverse("admin:tracker_statement_delete", args=[seed.pk]))
    content = response.content.decode()
    assert f"Pledge {pledge_with_history.number} has 2 status updates and 1 piece of evidence" in content
    assert f'href="{reverse("pledge_detail", args=[pledge_with_history.pk])}' in content


def test_deleting_a_statement_with_pledges_but_no_history_says_to_delete_the_pledges_first(
    admin_client_, seed
):
    response = admin_client_.post(reverse("admin:tracker_statement_delete", args=[seed.pk]), {"post": "yes"})
    assert response.status_code == 200
    assert "has 8 pledges without history: delete them first" in response.content.decode()
    assert Statement.objects.filter(pk=seed.pk).exists()


def test_deleting_a_statement_whose_text_was_changed_says_its_earlier_texts_are_kept(admin_client_, seed):
    post_statement_text(admin_client_, seed, seed.text + "\nAn addition.")
    response = admin_client_.get(reverse("admin:tracker_statement_delete", args=[seed.pk]))
    assert "has 1 earlier text (kept at each change of its text); history is never deleted." in (
        response.content.decode()
    )


def test_ticking_delete_on_a_pledge_row_with_history_is_an_error_on_that_row_and_saves_nothing(
    admin_client_, pledge_with_history, seed
):
    pledge = pledge_with_history
    page = admin_client_.get(statement_url(seed))
    row = row_of(page, pledge)
    data = change_page_data(page)
    data[f"pledges-{row}-DELETE"] = "on"
    data["title"] = "A title that must not be saved"
    response = admin_client_.post(statement_url(seed), data)
    assert response.status_code == 200
    tree = parsed(response)
    row_element, _ = element_with_id(tree, f"pledges-{row}")
    assert "has 2 status updates and 1 piece of evidence; history is never deleted" in text_of(row_element)
    assert f'href="#pledges-{row}"' in response.content.decode()
    assert Pledge.objects.filter(pk=pledge.pk).exists()
    assert Statement.objects.get(pk=seed.pk).title == seed.title


def test_ticking_delete_on_a_pledge_row_without_history_deletes_it(admin_client_, seed):
    pledge = seed.pledges.get(quote__startswith=JUDGES)
    page = admin_client_.get(statement_url(seed))
    data = change_page_data(page)
    data[f"pledges-{row_of(page, pledge)}-DELETE"] = "on"
    assert admin_client_.post(statement_url(seed), data).status_code == 302
    assert not Pledge.objects.filter(pk=pledge.pk).exists()
    assert seed.pledges.count() == 7


def test_deleting_selected_pledges_with_history_says_why(admin_client_, pledge_with_history, seed):
    others = list(seed.pledges.exclude(pk=pledge_with_history.pk).values_list("pk", flat=True)[:2])
    response = admin_client_.post(
        reverse("admin:tracker_pledge_changelist"),
        {"action": "delete_selected", "_selected_action": [pledge_with_history.pk, *others], "post": "yes"},
    )
    assert response.status_code == 200
    assert "history is never deleted" in response.content.decode()
    assert seed.pledges.count() == 8


@pytest.fixture
def theme_on_every_pledge(seed):
    theme = Theme.objects.create(name="Everything")
    theme.pledges.set(seed.pledges.all())
    return theme


def test_the_delete_page_of_a_theme_in_use_says_first_how_many_pledges_lose_it(
    admin_client_, theme_on_every_pledge, seed
):
    response = admin_client_.get(reverse("admin:tracker_theme_delete", args=[theme_on_every_pledge.pk]))
    content = response.content.decode()
    assert "8 pledges lose this theme:" in content
    assert content.index("8 pledges lose this theme:") < content.index("Are you sure")
    first = seed.pledges.get(number=1)
    assert str(first) in content
    assert "and 3 more" in content


def test_deleting_a_theme_in_use_takes_it_off_its_pledges_and_keeps_them(
    admin_client_, theme_on_every_pledge
):
    url = reverse("admin:tracker_theme_delete", args=[theme_on_every_pledge.pk])
    assert admin_client_.post(url, {"post": "yes"}).status_code == 302
    assert not Theme.objects.filter(name="Everything").exists()
    assert Pledge.objects.count() == 8


def test_deleting_selected_themes_says_how_many_pledges_lose_each(admin_client_, theme_on_every_pledge):
    drugs = Theme.objects.get(name="Drugs")
    response = admin_client_.post(
        reverse("admin:tracker_theme_changelist"),
        {"action": "delete_selected", "_selected_action": [theme_on_every_pledge.pk, drugs.pk]},
    )
    content = response.content.decode()
    assert "8 pledges lose the theme “Everything”" in content
    assert "1 pledge loses the theme “Drugs”" in content
    assert "Are you sure" in content


def test_an_administrator_cannot_raise_their_own_rights(admin_client_, administrator, analyst):
    url = reverse("admin:auth_user_change", args=[administrator.pk])
    page = admin_client_.get(url)
    form = page.context["adminform"].form
    assert not {"is_superuser", "is_staff", "groups", "user_permissions"} & set(form.fields)
    data = {**form_values(form), "is_superuser": "on", "groups": [1, 2, 3]}

    admin_client_.post(url, data)

    administrator.refresh_from_db()
    assert not administrator.is_superuser
    assert list(administrator.groups.values_list("name", flat=True)) == ["Administrators"]


def test_an_administrator_cannot_change_a_superusers_account(admin_client_):
    from django.contrib.auth.models import User

    root = User.objects.create_superuser("root", "root@example.org", "a-long-root-password")

    assert (
        admin_client_.get(reverse("admin:auth_user_change", args=[root.pk])).context["has_change_permission"]
        is False
    )
    response = admin_client_.post(reverse("admin:auth_user_change", args=[root.pk]), {"username": "mine"})
    assert response.status_code == 403
    root.refresh_from_db()
    assert root.username == "root"


def test_a_superuser_grants_rights(client, administrator):
    from django.contrib.auth.models import User

    root = User.objects.create_superuser("root", "root@example.org", "a-long-root-password")
    client.force_login(root)

    form = client.get(reverse("admin:auth_user_change", args=[administrator.pk])).context["adminform"].form

    assert {"is_superuser", "is_staff", "groups"} <= set(form.fields)


def test_an_administrator_cannot_change_what_the_role_groups_may_do(admin_client_):
    from django.contrib.auth.models import Group

    analysts = Group.objects.get(name="Analysts")
    before = set(analysts.permissions.values_list("codename", flat=True))

    forged = admin_client_.post(
        reverse("admin:auth_group_change", args=[analysts.pk]), {"name": "Analysts", "permissions": [1, 2, 3]}
    )
    deleted = admin_client_.post(reverse("admin:auth_group_delete", args=[analysts.pk]), {"post": "yes"})

    assert forged.status_code == deleted.status_code == 403
    assert set(analysts.permissions.values_list("codename", flat=True)) == before
    assert admin_client_.get(reverse("admin:auth_group_changelist")).status_code == 200


def test_an_admin_deadline_outside_any_reasonable_time_is_refused(admin_client_, seed):
    response = post_new_pledge(
        admin_client_,
        seed,
        "Japan welcomes the adoption of the Presidential Statement.",
        deadline_on="0001-01-01",
        deadline_precision="day",
    )

    assert response.status_code == 200
    assert "Give a date from 1 January 1945" in response.content.decode()
    assert seed.pledges.count() == 8
