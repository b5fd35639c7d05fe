"""The Chinese catalogue is complete and up to date: every string people read has a translation."""

import gettext
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from django.test import Client
from django.utils import translation

PACKAGE = Path(__file__).resolve().parent.parent / "src" / "chiptown"
CATALOGUE = PACKAGE / "locale" / "zh_Hans" / "LC_MESSAGES" / "django.po"


def _msgids(po_text: str) -> set[str | tuple[str, int]]:
    """The msgids of a .po file, as keys of a compiled catalogue (plurals as (msgid, 0))."""
    keys: set[str | tuple[str, int]] = set()
    for block in po_text.split("\n\n"):
        lines = [line for line in block.splitlines() if not line.startswith("#")]
        msgid, plural, current = "", False, None
        for line in lines:
            if line.startswith("msgid_plural "):
                plural, current = True, None
            elif line.startswith("msgid "):
                msgid, current = _unquote(line[6:]), "msgid"
            elif line.startswith("msgstr"):
                current = None
            elif line.startswith('"') and current == "msgid":
                msgid += _unquote(line)
        if msgid:
            keys.add((msgid, 0) if plural else msgid)
    return keys


def _unquote(text: str) -> str:
    return str(eval(text.strip()))  # noqa: S307 - .po strings are C-style string literals


@pytest.fixture(scope="module")
def source_msgids(tmp_path_factory: pytest.TempPathFactory) -> set[str | tuple[str, int]]:
    copy = tmp_path_factory.mktemp("i18n") / "chiptown"
    shutil.copytree(PACKAGE, copy, ignore=shutil.ignore_patterns("*.mo", "*.po", "__pycache__", "migrations"))
    env = {k: v for k, v in os.environ.items() if k != "DJANGO_SETTINGS_MODULE"}
    subprocess.run(
        [sys.executable, "-m", "django", "makemessages", "-l", "zh_Hans", "--no-location"],
        cwd=copy,
        env=env,
        check=True,
        capture_output=True,
    )
    return _msgids((copy / "locale" / "zh_Hans" / "LC_MESSAGES" / "django.po").read_text(encoding="utf-8"))


def test_every_string_in_the_source_has_a_chinese_translation(
    source_msgids: set[str | tuple[str, int]], tmp_path: Path
) -> None:
    compiled = tmp_path / "django.mo"
    # msgfmt leaves out untranslated and fuzzy entries: whatever is missing from the .mo is untranslated.
    subprocess.run(["msgfmt", "--check-format", "-o", str(compiled), str(CATALOGUE)], check=True)
    with compiled.open("rb") as f:
        catalog = gettext.GNUTranslations(f)._catalog  # type: ignore[attr-defined]
    translated = {key for key, value in catalog.items() if key and value}
    missing = sorted(str(k) for k in source_msgids - translated)
    assert not missing, f"{len(missing)} strings lack a zh_Hans translation (run `make messages`): {missing[:20]}"


def test_catalogue_has_no_fuzzy_entries() -> None:
    assert not re.search(r"^#,.*\bfuzzy\b", CATALOGUE.read_text(encoding="utf-8"), re.MULTILINE)


@pytest.mark.django_db
def test_pages_switch_to_chinese(client: Client) -> None:
    response = client.get("/", headers={"accept-language": "zh-hans"})
    assert response.status_code == 200
    assert response["Content-Language"] == "zh-hans"
    with translation.override("zh-hans"):
        assert translation.gettext("Directory") != "Directory"
        assert translation.gettext("Directory") in response.content.decode()
