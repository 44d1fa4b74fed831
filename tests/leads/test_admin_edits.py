"""A lead's page never changes what the coach did not touch, and refuses an owner who is not a
coach with a message instead of dropping them."""

from datetime import date

import pytest
from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError

from leads.models import Lead, LeadNote
from leads.services import lead_assign, lead_status_set
from tests.admin_pages import form_values

from .factories import LeadFactory, coach

pytestmark = pytest.mark.django_db

CHANGELIST = "/admin/leads/lead/"


def change_url(lead: Lead) -> str:
    return f"/admin/leads/lead/{lead.pk}/change/"


def open_page(client, lead: Lead) -> dict:
    """The lead's form as the browser has it after opening the page."""
    response = client.get(change_url(lead))
    assert response.status_code == 200
    return form_values(response.content.decode(), "lead_form")


@pytest.fixture
def coach_client(client):
    user = coach("coach", first_name="Cora", last_name="Coach")
    client.force_login(user)
    client.user = user
    return client


@pytest.fixture
def outsider(django_user_model):
    """Staff who sees every lead (a superuser) but is not in the coaches group."""
    return django_user_model.objects.create_user(
        "root", password="pw", is_staff=True, is_superuser=True
    )


def test_saving_the_page_unchanged_writes_nothing(coach_client):
    lead = LeadFactory(phone="+442079460958", country="GB", owner=coach_client.user)
    before = Lead.objects.values().get(pk=lead.pk)

    response = coach_client.post(change_url(lead), open_page(coach_client, lead))

    assert response.status_code == 302
    assert Lead.objects.values().get(pk=lead.pk) == before  # not even updated_at moved
    assert not lead.status_changes.exists()


def test_owner_outside_the_coaches_group_is_shown_on_the_page(coach_client, outsider):
    lead = LeadFactory(owner=outsider)

    content = coach_client.get(change_url(lead)).content.decode()

    assert f'<option value="{outsider.pk}" selected>root (not an active coach)</option>' in content
    assert "root is not an active coach any more" in content


def test_saving_a_note_keeps_an_owner_who_is_not_a_coach(coach_client, outsider):
    lead = LeadFactory(owner=outsider)
    data = open_page(coach_client, lead)
    data["notes-0-text"] = "Left a voicemail."

    response = coach_client.post(change_url(lead), data)

    assert response.status_code == 302
    lead.refresh_from_db()
    assert lead.owner == outsider
    assert LeadNote.objects.get().text == "Left a voicemail."


def test_saving_a_note_keeps_an_owner_whose_account_was_deactivated(coach_client):
    former = coach("former", is_active=False)
    lead = LeadFactory(owner=former)
    data = open_page(coach_client, lead)
    assert data["owner"] == str(former.pk)
    data["notes-0-text"] = "Called."

    assert coach_client.post(change_url(lead), data).status_code == 302
    lead.refresh_from_db()
    assert lead.owner == former


def test_choosing_an_owner_who_is_not_a_coach_is_refused_with_a_message(coach_client, outsider):
    lead = LeadFactory(owner=coach_client.user)
    data = open_page(coach_client, lead)
    data["owner"] = str(outsider.pk)

    response = coach_client.post(change_url(lead), data)

    assert response.status_code == 200
    assert "only active staff in the “Enrollment coaches” group can own leads" in (
        response.content.decode()
    )
    lead.refresh_from_db()
    assert lead.owner == coach_client.user


def test_choosing_another_coach_as_owner_is_saved(coach_client):
    other = coach("other")
    lead = LeadFactory(owner=coach_client.user)
    data = open_page(coach_client, lead)
    data["owner"] = str(other.pk)

    assert coach_client.post(change_url(lead), data).status_code == 302
    lead.refresh_from_db()
    assert lead.owner == other


def test_a_change_someone_made_meanwhile_survives_a_save_of_other_fields(coach_client):
    lead = LeadFactory(phone="")
    data = open_page(coach_client, lead)
    colleague = coach("colleague")
    lead_status_set(lead=Lead.objects.get(pk=lead.pk), status="qualified", changed_by=colleague)
    lead_assign(lead=Lead.objects.get(pk=lead.pk), owner=colleague)
    data["phone"] = "+442079460958"

    assert coach_client.post(change_url(lead), data).status_code == 302

    lead.refresh_from_db()
    assert (lead.phone, lead.status, lead.owner) == ("+442079460958", "qualified", colleague)
    assert lead.status_changes.count() == 1  # the colleague's, not undone by this save


def test_a_field_changed_by_both_is_refused_with_a_message_then_saved_knowingly(coach_client):
    lead = LeadFactory()
    data = open_page(coach_client, lead)
    Lead.objects.filter(pk=lead.pk).update(next_follow_up=date(2030, 1, 2))
    data["next_follow_up"] = "2030-03-04"

    response = coach_client.post(change_url(lead), data)

    assert response.status_code == 200
    content = response.content.decode()
    assert "Someone else changed this to “Jan. 2, 2030” after you opened the page." in content
    lead.refresh_from_db()
    assert lead.next_follow_up == date(2030, 1, 2)

    again = form_values(content, "lead_form")
    assert again["next_follow_up"] == "2030-03-04"  # what this coach typed is still there
    assert coach_client.post(change_url(lead), again).status_code == 302
    lead.refresh_from_db()
    assert lead.next_follow_up == date(2030, 3, 4)


def test_a_field_both_changed_to_the_same_value_is_no_conflict(coach_client):
    lead = LeadFactory()
    data = open_page(coach_client, lead)
    Lead.objects.filter(pk=lead.pk).update(country="GB")
    data["country"] = "GB"

    assert coach_client.post(change_url(lead), data).status_code == 302


def test_assign_to_me_by_staff_outside_the_coaches_group_is_refused_with_a_message(
    client, outsider
):
    owner = coach("owner")
    lead = LeadFactory(owner=owner)
    client.force_login(outsider)

    response = client.post(
        CHANGELIST, {"action": "assign_to_me", "_selected_action": [lead.pk]}, follow=True
    )

    assert "Nothing assigned: only active staff in the “Enrollment coaches” group can own " in (
        response.content.decode()
    )
    lead.refresh_from_db()
    assert lead.owner == owner


def test_assign_to_me_by_a_coach_sets_the_owner(coach_client):
    lead = LeadFactory()
    coach_client.post(CHANGELIST, {"action": "assign_to_me", "_selected_action": [lead.pk]})
    lead.refresh_from_db()
    assert lead.owner == coach_client.user


@pytest.mark.parametrize("who", ["superuser outside the group", "inactive coach", "plain staff"])
def test_lead_assign_refuses_anyone_but_an_active_coach(who):
    User = get_user_model()
    owner = {
        "superuser outside the group": lambda: User.objects.create_user(
            "root", is_staff=True, is_superuser=True
        ),
        "inactive coach": lambda: coach("gone", is_active=False),
        "plain staff": lambda: User.objects.create_user("plain", is_staff=True),
    }[who]()
    lead = LeadFactory()

    with pytest.raises(ValidationError, match="cannot own leads"):
        lead_assign(lead=lead, owner=owner)

    lead.refresh_from_db()
    assert lead.owner is None
