import factory
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group

from leads.forms import started_token
from leads.models import COACHES_GROUP, ConsentText, Lead, Program, Submission


class ProgramFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Program

    name = factory.Sequence(lambda n: f"Machine Learning Program {n}")
    slug = factory.Sequence(lambda n: f"ml-program-{n}")
    position = factory.Sequence(int)


class LeadFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Lead

    first_name = "Ada"
    last_name = factory.Sequence(lambda n: f"Lovelace{n}")
    email = factory.Sequence(lambda n: f"person{n}@example.com")
    program = factory.SubFactory(ProgramFactory)


class SubmissionFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Submission

    lead = factory.SubFactory(LeadFactory)
    program = factory.SelfAttribute("lead.program")
    first_name = factory.SelfAttribute("lead.first_name")
    last_name = factory.SelfAttribute("lead.last_name")
    email = factory.SelfAttribute("lead.email")


def coach(username: str = "coach", **fields):
    user = get_user_model().objects.create_user(
        username=username, password="pw", is_staff=True, **fields
    )
    user.groups.add(Group.objects.get(name=COACHES_GROUP))
    return user


def current_consent() -> ConsentText:
    return ConsentText.objects.current()


def form_data(program: Program, /, **overrides) -> dict:
    """A valid request as the browser sends it, filled in more than a few seconds ago."""
    data = {
        "first_name": "Grace",
        "last_name": "Hopper",
        "email": "Grace.Hopper@Example.com",
        "phone": "+44 20 7946 0958",
        "program": str(program.pk),
        "career_stage": "changer",
        "country": "GB",
        "message": "When does the next cohort start?",
        "consent": "on",
        "consent_version": str(current_consent().version),
        "page": "/articles/some-article/",
        "article": "",
        "started": started_token(now=0),
        "website": "",
    }
    data.update(overrides)
    return {key: value for key, value in data.items() if value is not None}
