import json
from datetime import timedelta
from unittest import mock

import pytest
from django.core import mail, signing
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from leads.attribution import UTM_KEYS
from leads.forms import started_token
from leads.middleware import COOKIE_NAME, COOKIE_SALT, MAX_COOKIE_BYTES
from leads.models import ConsentRecord, Lead, Submission
from tests.articles.factories import ArticleFactory

from .factories import ProgramFactory, form_data

pytestmark = pytest.mark.django_db

GET_INFO = "/get-info/"
JSON = {"Accept": "application/json"}


@pytest.fixture
def program():
    return ProgramFactory(name="Machine Learning Engineering")


def post(client, data, **kwargs):
    return client.post(GET_INFO, data, REMOTE_ADDR=kwargs.pop("address", "203.0.113.9"), **kwargs)


class TestGetInfoPage:
    def test_page_shows_the_form_with_only_active_programs_in_their_order(self, client):
        ProgramFactory(name="Second", position=2)
        ProgramFactory(name="First", position=1)
        ProgramFactory(name="Retired", is_active=False)

        response = client.get(GET_INFO)

        content = response.content.decode()
        assert response.status_code == 200
        assert content.index(">First<") < content.index(">Second<")
        assert "Retired" not in content
        assert 'name="csrfmiddlewaretoken"' in content
        assert "I agree that an enrollment coach may contact me" in content

    def test_a_newly_published_consent_wording_is_shown_and_recorded(self, client, program):
        from leads.models import ConsentText

        ConsentText.objects.create(version=2, text="New wording, version two.")
        content = client.get(GET_INFO).content.decode()
        assert "New wording, version two." in content
        assert 'name="consent_version" value="2"' in content

        post(client, form_data(program, consent_version="2"))
        record = ConsentRecord.objects.get()
        assert (record.consent_text.version, record.wording) == (2, "New wording, version two.")

    def test_consent_version_shown_is_recorded_even_if_a_newer_one_appears(self, client, program):
        from leads.models import ConsentText

        ConsentText.objects.create(version=2, text="Published while the reader was typing.")
        post(client, form_data(program, consent_version="1"))
        assert ConsentRecord.objects.get().consent_text.version == 1

    def test_an_unknown_consent_version_records_the_current_wording(self, client, program):
        post(client, form_data(program, consent_version="99"))
        assert ConsentRecord.objects.get().consent_text.version == 1

    def test_a_request_sent_with_the_current_wording_reads_no_wording(self, client, program):
        data = form_data(program, consent_version="1")
        client.get(GET_INFO)  # the form as shown: the current wording is now in the cache
        with CaptureQueriesContext(connection) as queries:
            assert post(client, data).status_code == 302
        assert not [q for q in queries if 'FROM "leads_consenttext"' in q["sql"]]
        assert ConsentRecord.objects.get().consent_text.version == 1

    def test_the_wording_is_kept_in_the_cache_until_it_changes(self, client):
        client.get(GET_INFO)
        with CaptureQueriesContext(connection) as queries:
            client.get(GET_INFO)
        assert not [q for q in queries if 'FROM "leads_consenttext"' in q["sql"]]

        from leads.models import ConsentText

        ConsentText.objects.create(version=2, text="Changed by staff.")
        assert "Changed by staff." in client.get(GET_INFO).content.decode()

    def test_a_wording_published_for_later_replaces_the_cached_one_at_its_time(self, client):
        from leads.models import ConsentText

        now = timezone.now()
        ConsentText.objects.create(
            version=2, text="From tomorrow on.", published_at=now + timedelta(days=1)
        )
        assert "From tomorrow on." not in client.get(GET_INFO).content.decode()  # now cached

        with mock.patch(
            "django.utils.timezone.now", return_value=now + timedelta(days=1, seconds=1)
        ):
            content = client.get(GET_INFO).content.decode()
        assert "From tomorrow on." in content
        assert 'name="consent_version" value="2"' in content

    def test_a_request_reads_its_program_from_the_cache(self, client, program):
        post(client, form_data(program, email="first@example.com"))  # reads the programs once
        data = form_data(program, email="second@example.com")
        with CaptureQueriesContext(connection) as queries:
            assert post(client, data).status_code == 302
        assert not [q for q in queries if 'FROM "leads_program"' in q["sql"]]
        assert Submission.objects.latest("pk").program == program

    @pytest.mark.parametrize("value", ["retired", "999999", "\u0663", "9" * 5000, "1.0"])
    def test_a_program_that_is_not_offered_is_refused_at_its_field(self, client, program, value):
        retired = ProgramFactory(name="Retired", is_active=True)
        post(client, form_data(program, email="first@example.com"))  # both are now in the cache
        retired.is_active = False
        retired.save()  # staff retire one: the cached list is forgotten
        data = form_data(program)
        data["program"] = str(retired.pk) if value == "retired" else value

        response = post(client, data)

        assert response.status_code == 200
        assert "Select a valid choice" in str(response.context["form"].errors["program"])
        assert Submission.objects.count() == 1  # the first one only

    def test_consent_checkbox_is_not_ticked(self, client):
        response = client.get(GET_INFO)
        assert b'name="consent" class="checkboxinput form-check-input" required' in (
            response.content
        )
        assert b"checked" not in response.content

    def test_valid_request_without_javascript_goes_to_the_thank_you_page(self, client, program):
        response = post(client, form_data(program))

        assert response.status_code == 302
        assert response["Location"] == reverse("leads:thanks")
        thanks = client.get(response["Location"])
        assert "An enrollment coach will contact you within one business day." in (
            thanks.content.decode()
        )
        lead = Lead.objects.get()
        assert lead.email == "grace.hopper@example.com"
        assert lead.phone == "+442079460958"
        assert lead.submissions.get().email == "Grace.Hopper@Example.com"

    @pytest.mark.parametrize(
        ("field", "value", "message"),
        [
            ("first_name", "", "This field is required."),
            ("email", "not-an-address", "Enter a valid e-mail address, like name@example.com."),
            ("phone", "12", "Enter a valid phone number with its country code"),
            ("program", "", "Choose the program you would like to hear about."),
            ("consent", None, "Tick this box so that a coach may contact you."),
            ("message", "x" * 2001, "Ensure this value has at most 2000 characters"),
            ("first_name", "x" * 101, "Ensure this value has at most 100 characters"),
        ],
    )
    def test_invalid_field_shows_its_message_and_keeps_every_typed_value(
        self, client, program, field, value, message
    ):
        data = form_data(program, **{field: value})

        response = post(client, data)

        content = response.content.decode()
        assert response.status_code == 200
        assert message in content
        assert not Lead.objects.exists()
        assert 'value="Hopper"' in content
        if field != "first_name":
            assert 'value="Grace"' in content
        if field != "email":
            assert 'value="Grace.Hopper@Example.com"' in content
        if field != "message":
            assert "When does the next cohort start?</textarea>" in content
        if field != "program":
            assert f'<option value="{program.pk}" selected>' in content
        if field != "consent":
            assert 'name="consent" class="checkboxinput form-check-input is-invalid"' not in content

    def test_phone_without_country_code_is_read_in_the_chosen_country(self, client, program):
        post(client, form_data(program, phone="020 7946 0958", country="GB"))
        assert Lead.objects.get().phone == "+442079460958"

    def test_inactive_program_is_refused(self, client):
        retired = ProgramFactory(is_active=False)
        response = post(client, form_data(retired))
        assert "Select a valid choice" in response.content.decode()
        assert not Lead.objects.exists()


class TestJavaScriptSubmit:
    def test_valid_request_answers_json_with_the_thank_you_message(self, client, program):
        response = post(client, form_data(program), headers=JSON)

        assert response.status_code == 200
        assert response.json() == {
            "ok": True,
            "message": "An enrollment coach will contact you within one business day.",
        }
        assert Submission.objects.count() == 1

    def test_errors_come_back_as_the_form_html_with_messages_and_values(self, client, program):
        response = post(client, form_data(program, email="nope", first_name="Ada"), headers=JSON)

        assert response.status_code == 400
        html = response.json()["form_html"]
        assert "Enter a valid e-mail address, like name@example.com." in html
        assert 'value="Ada"' in html
        assert 'value="nope"' in html
        assert "is-invalid" in html
        assert 'name="csrfmiddlewaretoken"' in html
        assert not Lead.objects.exists()

    def test_post_without_csrf_token_is_refused(self, program):
        from django.test import Client

        strict = Client(enforce_csrf_checks=True)
        response = strict.post(GET_INFO, form_data(program), headers=JSON)
        assert response.status_code == 403
        assert not Lead.objects.exists()


class TestEntryPoints:
    def test_article_has_the_call_to_action_box_and_the_modal(self, client):
        article = ArticleFactory()
        response = client.get(article.get_absolute_url())
        content = response.content.decode()
        assert 'class="lead-cta"' in content
        assert f'data-lead-article="{article.slug}"' in content
        assert f'href="/get-info/?article={article.slug}"' in content
        assert "<dialog" in content and 'action="/get-info/"' in content
        assert 'data-lead-form-url="/get-info/form/"' in content
        assert "js/leads.js" in content and "css/leads.css" in content

    def test_calls_to_action_add_no_query_to_the_article_page(self, client):
        """The modal's form is fetched when needed: the article page pays nothing for it."""
        from django.db import connection
        from django.test.utils import CaptureQueriesContext

        article = ArticleFactory()
        with CaptureQueriesContext(connection) as queries:
            client.get(article.get_absolute_url())
        assert not [q for q in queries.captured_queries if "leads_" in q["sql"]]

    def test_form_fragment_for_the_modal_has_the_token_fields_and_article(self, client):
        article = ArticleFactory()
        response = client.get(
            "/get-info/form/", {"article": article.slug, "page": article.get_absolute_url()}
        )
        content = response.content.decode()
        assert response.status_code == 200
        assert "no-cache" in response["Cache-Control"] or "max-age=0" in response["Cache-Control"]
        assert 'name="csrfmiddlewaretoken"' in content
        assert f'name="article" value="{article.slug}"' in content
        assert f'name="page" value="{article.get_absolute_url()}"' in content
        assert "<html" not in content

    def test_form_fragment_drops_foreign_pages(self, client):
        response = client.get("/get-info/form/", {"page": "//evil.example/"})
        assert 'name="page" value="//evil' not in response.content.decode()

    def test_home_has_the_header_button_and_a_call_to_action_without_article(self, client):
        response = client.get("/")
        content = response.content.decode()
        assert content.count("data-lead-open>Get more information</a>") == 2  # header, CTA
        assert "data-lead-article" not in content
        assert "<dialog" in content

    def test_get_info_page_has_no_modal_and_its_header_button_is_a_plain_link(self, client):
        content = client.get(GET_INFO).content.decode()
        assert "<dialog" not in content
        assert "data-lead-open" not in content
        assert 'href="/get-info/">Get more information</a></li>' in content  # footer

    def test_no_inline_script_or_style_on_the_lead_pages(self, client):
        article = ArticleFactory()
        for path in (GET_INFO, reverse("leads:thanks"), article.get_absolute_url()):
            content = client.get(path).content.decode()
            assert "<script>" not in content and "style=" not in content, path

    def test_request_from_an_article_credits_the_article_and_page(self, client, program):
        article = ArticleFactory()
        post(
            client,
            form_data(program, article=article.slug, page=article.get_absolute_url()),
            headers=JSON,
        )
        submission = Submission.objects.get()
        assert submission.article == article
        assert submission.page == article.get_absolute_url()

    def test_draft_article_and_foreign_page_are_not_credited(self, client, program):
        draft = ArticleFactory(draft=True)
        post(client, form_data(program, article=draft.slug, page="https://evil.example/x"))
        submission = Submission.objects.get()
        assert submission.article is None
        assert submission.page == ""

    def test_get_info_from_an_article_link_keeps_the_article(self, client):
        article = ArticleFactory()
        response = client.get(f"{GET_INFO}?article={article.slug}")
        assert f'name="article" value="{article.slug}"' in response.content.decode()


class TestAttributionCapture:
    def test_first_and_last_utm_and_landing_referrer_are_kept_with_the_request(
        self, client, program
    ):
        article = ArticleFactory()
        client.get(
            f"{article.get_absolute_url()}?utm_source=newsletter&utm_medium=email"
            "&utm_campaign=spring&utm_term=ml&utm_content=top",
            HTTP_REFERER="https://mail.example.com/inbox",
        )
        client.get("/", HTTP_REFERER="https://other.example/")  # not a landing: ignored
        client.get("/?utm_source=linkedin&utm_campaign=retarget")

        post(client, form_data(program))

        submission = Submission.objects.get()
        assert (submission.utm_source, submission.utm_medium, submission.utm_campaign) == (
            "newsletter",
            "email",
            "spring",
        )
        assert (submission.utm_term, submission.utm_content) == ("ml", "top")
        assert (submission.last_utm_source, submission.last_utm_campaign) == (
            "linkedin",
            "retarget",
        )
        assert submission.last_utm_medium == ""
        assert submission.landing_referrer == "https://mail.example.com/inbox"
        assert submission.landing_page.startswith(article.get_absolute_url())

    def test_pages_without_campaign_or_referrer_set_no_cookie(self, client):
        response = client.get("/")
        assert COOKIE_NAME not in response.cookies

    def test_tampered_attribution_cookie_is_ignored(self, client, program):
        client.cookies[COOKIE_NAME] = "forged"
        post(client, form_data(program))
        assert Submission.objects.get().utm_source == ""

    def test_cookie_is_signed_and_values_are_cut_to_length(self, client):
        response = client.get("/?utm_source=" + "s" * 500)
        data = signing.loads(response.cookies[COOKIE_NAME].value, salt=COOKIE_SALT)
        assert data["first"]["utm_source"] == "s" * 200

    def test_long_values_in_any_script_are_cut_until_the_cookie_fits(self, client, program):
        """Browsers drop cookies over 4 kB; six-byte JSON escapes reach that with 200 characters
        in each of the five UTM parameters."""
        values = {key: "".join(chr(0x4E00 + (n * 7919 + i) % 20000) for n in range(300))
                  for i, key in enumerate(UTM_KEYS)}  # fmt: skip
        referrer = "https://ref.example/" + "".join(chr(0x0400 + n % 200) for n in range(600))
        response = client.get("/", values, HTTP_REFERER=referrer)

        cookie = response.cookies[COOKIE_NAME]
        assert len(cookie.value) <= MAX_COOKIE_BYTES
        data = signing.loads(cookie.value, salt=COOKIE_SALT)
        for key in UTM_KEYS:
            assert 20 <= len(data["first"][key]) < 200
            assert values[key].startswith(data["first"][key])

        post(client, form_data(program))
        assert values["utm_source"].startswith(Submission.objects.get().utm_source)


class TestTamperedForm:
    @pytest.mark.parametrize(
        ("field", "value"),
        [("consent_version", "abc"), ("page", "/" + "p" * 600), ("article", "a" * 300)],
    )
    def test_a_changed_hidden_field_is_explained_and_the_typing_kept(
        self, client, program, field, value
    ):
        data = form_data(program, first_name="Grace")
        data[field] = value

        response = post(client, data)

        html = response.content.decode()
        assert response.status_code == 200
        assert "This form was changed or is out of date" in html
        assert "marked below" not in html  # no field is marked: none is named
        assert 'value="Grace"' in html
        assert not Submission.objects.exists()


class TestAbuse:
    def test_honeypot_is_answered_like_a_success_and_nothing_is_saved(self, client, program):
        response = post(client, form_data(program, website="http://spam.example"))
        assert response.status_code == 302
        assert response["Location"] == reverse("leads:thanks")
        assert not Lead.objects.exists()

    def test_form_sent_faster_than_a_person_types_is_dropped_silently(self, client, program):
        response = post(client, form_data(program, started=started_token()), headers=JSON)
        assert response.json()["ok"] is True
        assert not Lead.objects.exists()

    def test_forged_time_token_is_dropped(self, client, program):
        post(client, form_data(program, started="1:forged"))
        assert not Lead.objects.exists()

    def test_sixth_request_in_an_hour_gets_the_friendly_429_page(self, client, program):
        for number in range(5):
            response = post(client, form_data(program, email=f"p{number}@example.com"))
            assert response.status_code == 302

        response = post(client, form_data(program, email="p6@example.com"))

        assert response.status_code == 429
        assert "Please try again later" in response.content.decode()
        assert Lead.objects.count() == 5
        other_client = post(
            client, form_data(program, email="x@example.com"), address="198.51.100.1"
        )
        assert other_client.status_code == 302

    def test_rate_limit_counts_the_client_address_the_proxy_reports(
        self, client, program, settings
    ):
        settings.CLIENT_IP_HEADER = "HTTP_X_REAL_IP"
        settings.LEADS_RATE_LIMIT = 1
        first = post(client, form_data(program), HTTP_X_REAL_IP="198.51.100.1")
        other = post(client, form_data(program), HTTP_X_REAL_IP="198.51.100.2")
        again = post(client, form_data(program), HTTP_X_REAL_IP="198.51.100.1")
        assert (first.status_code, other.status_code, again.status_code) == (302, 302, 429)

    def test_rate_limit_answers_json_to_the_modal(self, client, program, settings):
        settings.LEADS_RATE_LIMIT = 1
        post(client, form_data(program), headers=JSON)
        response = post(client, form_data(program), headers=JSON)
        assert response.status_code == 429
        assert "try again later" in response.json()["message"]

    def test_rate_limit_stores_a_keyed_hash_not_the_address(self, client, program):
        from django.core.cache import cache

        post(client, form_data(program))
        keys = list(cache._cache.keys())
        assert keys and not any("203.0.113.9" in key for key in keys)
        assert "203.0.113.9" not in json.dumps(list(ConsentRecord.objects.values()), default=str)

    def test_broken_cache_lets_requests_through(self, client, program, settings):
        settings.CACHES = {"default": {"BACKEND": "tests.leads.doubles.BrokenCache"}}
        settings.LEADS_RATE_LIMIT = 1
        for number in range(3):
            response = post(client, form_data(program, email=f"b{number}@example.com"))
            assert response.status_code == 302
        assert Lead.objects.count() == 3

    def test_hostile_input_in_every_field_is_stored_as_text_and_escaped(
        self, client, program, django_capture_on_commit_callbacks
    ):
        hostile = '<script>alert("x")</script>\'"&'
        data = form_data(
            program,
            first_name=hostile,
            last_name='=HYPERLINK("http://evil")',
            message=hostile + "\r\nBcc: victim@example.com",
            page="/articles/x/?q=" + hostile,
            article=hostile,
            career_stage=hostile,
            country=hostile,
        )
        response = post(client, data)
        content = response.content.decode()
        assert "<script>alert" not in content
        assert "&lt;script&gt;alert" in content  # kept, escaped, in the form
        assert not Lead.objects.exists()  # career stage and country are not valid choices

        with django_capture_on_commit_callbacks(execute=True):
            response = post(client, {**data, "career_stage": "", "country": ""}, headers=JSON)
        assert response.status_code == 200
        submission = Submission.objects.get()
        assert submission.first_name == hostile
        assert submission.article is None
        confirmation = mail.outbox[0]
        html = confirmation.alternatives[0][0]
        assert "<script>" not in html and "&lt;script&gt;" in html
