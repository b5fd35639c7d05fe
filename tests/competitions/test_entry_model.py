"""How an entry names itself in emails and lists when the applicant gave no title."""

from tests.competitions.factories import EntryFactory
from tests.factories import PersonFactory


def test_an_entry_is_called_by_its_title(db: object) -> None:
    entry = EntryFactory(title="SiC traction inverter")

    assert entry.display_title == str(entry) == "SiC traction inverter"


def test_a_nomination_without_a_title_is_called_by_the_nominee(db: object) -> None:
    nominee = PersonFactory(name_en="Li Wei", name_zh="李伟")
    entry = EntryFactory(title="", organisation=None, person=nominee)

    assert entry.display_title == "Li Wei"


def test_an_application_without_a_title_is_called_by_the_organisation(db: object) -> None:
    entry = EntryFactory(title="")

    assert entry.display_title == entry.organisation.display_name
