"""factory_boy factories for the conference, shared by every events test module."""

import datetime
import zoneinfo

import factory

from chiptown.events.models import (
    Event,
    Registration,
    RegistrationStatus,
    Room,
    Session,
    SessionKind,
    Speaker,
    SpeakerStatus,
    Track,
)
from tests.factories import PersonFactory, UserFactory

SHANGHAI = zoneinfo.ZoneInfo("Asia/Shanghai")
FIRST_DAY = datetime.date(2027, 6, 15)


def at(day: int, hour: int, minute: int = 0) -> datetime.datetime:
    """A time on the conference's `day` (1, 2, 3) in Shanghai."""
    date = FIRST_DAY + datetime.timedelta(days=day - 1)
    return datetime.datetime(date.year, date.month, date.day, hour, minute, tzinfo=SHANGHAI)


class EventFactory(factory.django.DjangoModelFactory[Event]):
    class Meta:
        model = Event
        django_get_or_create = ("slug",)

    slug = factory.Sequence(lambda n: f"conf-{n}")
    name_zh = factory.Sequence(lambda n: f"汽车芯片产业大会{n}")
    name_en = factory.Sequence(lambda n: f"Automotive Chip Conference {n}")
    starts_on = FIRST_DAY
    ends_on = FIRST_DAY + datetime.timedelta(days=2)
    venue_zh = "北京亦庄国际会展中心"
    venue_en = "E-Town International Convention Centre"
    registration_open = True


class RoomFactory(factory.django.DjangoModelFactory[Room]):
    class Meta:
        model = Room

    event = factory.SubFactory(EventFactory)
    name_zh = factory.Sequence(lambda n: f"会议室{n}")
    name_en = factory.Sequence(lambda n: f"Room {n}")
    capacity = 200


class TrackFactory(factory.django.DjangoModelFactory[Track]):
    class Meta:
        model = Track

    event = factory.SubFactory(EventFactory)
    name_zh = factory.Sequence(lambda n: f"分论坛{n}")
    name_en = factory.Sequence(lambda n: f"Track {n}")


class SessionFactory(factory.django.DjangoModelFactory[Session]):
    class Meta:
        model = Session

    event = factory.SubFactory(EventFactory)
    kind = SessionKind.KEYNOTE
    title_zh = factory.Sequence(lambda n: f"主题演讲{n}")
    title_en = factory.Sequence(lambda n: f"Keynote {n}")
    abstract_en = "Automotive-grade chips: the market to 2030."
    room = factory.SubFactory(RoomFactory, event=factory.SelfAttribute("..event"))
    starts_at = factory.LazyFunction(lambda: at(1, 9))
    ends_at = factory.LazyFunction(lambda: at(1, 10))


class WorkshopFactory(SessionFactory):
    """A salon or workshop with 20 seats for sign-up."""

    kind = SessionKind.SALON
    title_zh = factory.Sequence(lambda n: f"创新沙龙{n}")
    title_en = factory.Sequence(lambda n: f"Innovation salon {n}")
    capacity = 20
    starts_at = factory.LazyFunction(lambda: at(2, 14))
    ends_at = factory.LazyFunction(lambda: at(2, 16))


class ClosedDoorWorkshopFactory(WorkshopFactory):
    kind = SessionKind.WORKSHOP
    title_zh = factory.Sequence(lambda n: f"闭门研讨会{n}")
    title_en = factory.Sequence(lambda n: f"Closed-door workshop {n}")
    closed_door = True
    nda_en = "What is said in this room stays in this room."
    nda_zh = "会议内容不得外传。"


class SpeakerFactory(factory.django.DjangoModelFactory[Speaker]):
    class Meta:
        model = Speaker

    event = factory.SubFactory(EventFactory)
    person = factory.SubFactory(PersonFactory, user=factory.SubFactory(UserFactory, role="speaker"))
    status = SpeakerStatus.ACCEPTED
    bio_en = "Has built automotive MCUs for twenty years."


class RegistrationFactory(factory.django.DjangoModelFactory[Registration]):
    class Meta:
        model = Registration

    event = factory.SubFactory(EventFactory)
    user = factory.SubFactory(UserFactory)
    status = RegistrationStatus.CONFIRMED
