"""Every word a patient or physician reads is marked for translation, and the
Spanish, French and German catalogues translate all of it."""

from __future__ import annotations

import re
import shutil
import subprocess
import sys
from html.parser import HTMLParser
from pathlib import Path

import polib
import pytest
from django.template.base import Lexer, TokenType

ROOT = Path(__file__).resolve().parents[1]
LANGUAGES = ("es", "fr", "de")
TEMPLATES = sorted(
    p for p in (ROOT / "templates").rglob("*") if p.suffix in (".html", ".txt")
)
# Names, not words: the same in every language.
NOT_WORDS = {"TMO Tracker"}
VISIBLE_ATTRIBUTES = {"aria-label", "title", "placeholder", "alt"}


def _catalogue(lang: str) -> polib.POFile:
    return polib.pofile(str(ROOT / "locale" / lang / "LC_MESSAGES" / "django.po"))


class _VisibleText(HTMLParser):
    """Text nodes and the attributes a reader sees or hears (aria-label, title…)."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.found: list[str] = []
        self._skip = 0

    def handle_starttag(self, tag, attrs):
        if tag in ("script", "style"):
            self._skip += 1
        attrs = dict(attrs)
        for name, value in attrs.items():
            if name in VISIBLE_ATTRIBUTES and value:
                self.found.append(value)
        if tag == "meta" and attrs.get("name") == "description":
            self.found.append(attrs.get("content") or "")

    def handle_endtag(self, tag):
        if tag in ("script", "style"):
            self._skip -= 1

    def handle_data(self, data):
        if not self._skip:
            self.found.append(data)


def _untranslated(source: str) -> list[str]:
    """Visible text in a template that no {% translate %}/{% blocktranslate %} covers."""
    pieces: list[str] = []
    # Open {% block %}, {% blocktranslate %} and {% comment %} tags, each with
    # whether its text is exempt: translated already, a comment, or a CSS class
    # ({% block main_class %}page wide{% endblock %}).
    stack: list[bool] = []
    literal_defaults = []
    for token in Lexer(source).tokenize():
        if token.token_type is TokenType.BLOCK:
            bits = token.contents.split() or [""]
            if bits[0] in ("blocktranslate", "blocktrans", "comment"):
                stack.append(True)
            elif bits[0] == "block":
                stack.append(bits[1].endswith("_class"))
            elif bits[0] in (
                "endblocktranslate",
                "endblocktrans",
                "endcomment",
                "endblock",
            ):
                stack.pop()
            # Tags vanish: `<details{% if x %} open{% endif %}>` stays one element.
        elif token.token_type is TokenType.VAR:
            for literal in re.findall(r'\|default:"([^"]*)"', token.contents):
                if re.search(r"[A-Za-z]{2}", literal):
                    literal_defaults.append(literal)
            pieces.append("\x00")
        elif token.token_type is TokenType.TEXT and not any(stack):
            pieces.append(token.contents)
    parser = _VisibleText()
    parser.feed("".join(pieces))
    found = []
    for text in parser.found:
        for chunk in text.split("\x00"):
            words = " ".join(chunk.split())
            for name in NOT_WORDS:
                words = words.replace(name, "")
            if re.search(r"[^\W\d_]{2,}", words):
                found.append(words)
    return found + [f'default:"{d}"' for d in literal_defaults]


@pytest.mark.parametrize("path", TEMPLATES, ids=lambda p: str(p.relative_to(ROOT)))
def test_every_visible_template_string_is_marked_for_translation(path):
    assert _untranslated(path.read_text()) == []


def test_the_check_finds_unmarked_text_attributes_and_defaults():
    source = (
        '{% load i18n %}<p title="Hover me">{% translate "Fine" %} Not fine</p>'
        '{% blocktranslate %}Also fine{% endblocktranslate %}{{ x|default:"Nobody" }}'
    )
    assert _untranslated(source) == ["Hover me", "Not fine", 'default:"Nobody"']


@pytest.mark.parametrize("lang", LANGUAGES)
def test_catalogue_translates_every_message_with_no_fuzzy_or_obsolete_entry(lang):
    po = _catalogue(lang)
    assert not po.metadata_is_fuzzy
    assert [e.msgid for e in po.untranslated_entries()] == []
    assert [e.msgid for e in po.fuzzy_entries()] == []
    assert [e.msgid for e in po.obsolete_entries()] == []
    for entry in po.translated_entries():
        # Placeholders survive translation: a missing %(joint)s would crash or mislead.
        wanted = set(re.findall(r"%\(\w+\)s", entry.msgid))
        got = set(re.findall(r"%\(\w+\)s", entry.msgstr or entry.msgstr_plural[0]))
        assert got == wanted, entry.msgid


@pytest.mark.skipif(not shutil.which("msgfmt"), reason="needs gettext's msgfmt")
@pytest.mark.parametrize("lang", LANGUAGES)
def test_catalogue_compiles_cleanly_with_format_checks(lang):
    path = ROOT / "locale" / lang / "LC_MESSAGES" / "django.po"
    result = subprocess.run(
        ["msgfmt", "--check", "-o", "/dev/null", str(path)],
        capture_output=True,
        text=True,
    )
    assert result.returncode == 0, result.stderr


@pytest.mark.skipif(not shutil.which("xgettext"), reason="needs gettext's xgettext")
def test_catalogues_hold_exactly_the_messages_the_code_marks(tmp_path):
    """makemessages over a copy of the project finds nothing the catalogues lack."""
    for name in ("apps", "templates", "tmo_tracker", "locale"):
        shutil.copytree(
            ROOT / name, tmp_path / name, ignore=shutil.ignore_patterns("__pycache__")
        )
    shutil.copy(ROOT / "manage.py", tmp_path)
    subprocess.run(
        [
            sys.executable,
            "manage.py",
            "makemessages",
            *[f"--locale={lang}" for lang in LANGUAGES],
            "--no-obsolete",
            "--verbosity=0",
        ],
        cwd=tmp_path,
        check=True,
    )
    for lang in LANGUAGES:
        committed = {(e.msgctxt, e.msgid) for e in _catalogue(lang)}
        fresh = polib.pofile(
            str(tmp_path / "locale" / lang / "LC_MESSAGES" / "django.po")
        )
        regenerated = {(e.msgctxt, e.msgid) for e in fresh}
        assert regenerated - committed == set(), f"{lang}: run makemessages"
        assert committed - regenerated == set(), f"{lang}: stale messages"


# Clinical wording: what a patient calls these, in each language.
GLOSSARY = {
    (None, "Pain"): ("Dolor", "Douleur", "Schmerz"),
    (None, "Swelling"): ("Hinchazón", "Gonflement", "Schwellung"),
    (None, "Left knee"): ("Rodilla izquierda", "Genou gauche", "Linkes Knie"),
    (None, "Right knee"): ("Rodilla derecha", "Genou droit", "Rechtes Knie"),
    (None, "Left hip"): ("Cadera izquierda", "Hanche gauche", "Linke Hüfte"),
    (None, "Right ankle"): (
        "Tobillo derecho",
        "Cheville droite",
        "Rechtes Sprunggelenk",
    ),
    (None, "Left foot"): ("Pie izquierdo", "Pied gauche", "Linker Fuß"),
    (None, "Right shoulder"): ("Hombro derecho", "Épaule droite", "Rechte Schulter"),
    (None, "Left elbow"): ("Codo izquierdo", "Coude gauche", "Linker Ellenbogen"),
    (None, "Right wrist"): ("Muñeca derecha", "Poignet droit", "Rechtes Handgelenk"),
    (None, "Left hand"): ("Mano izquierda", "Main gauche", "Linke Hand"),
    ("joint in a sentence", "left knee"): (
        "la rodilla izquierda",
        "le genou gauche",
        "das linke Knie",
    ),
    ("swelling", "severe"): ("intensa", "important", "stark"),
}


@pytest.mark.parametrize(("key", "expected"), GLOSSARY.items(), ids=str)
def test_clinical_words_are_the_ones_patients_use(key, expected):
    for lang, word in zip(LANGUAGES, expected, strict=True):
        entry = _catalogue(lang).find(key[1], msgctxt=key[0])
        assert entry is not None, (lang, key)
        assert entry.msgstr == word, (lang, key)


def test_the_scripts_write_no_english_of_their_own():
    """What pwa.js and charts.js show comes from the page's translated strings."""
    written = re.compile(
        r"(?:textContent|innerText|title)\s*=\s*['\"][^'\"]*[A-Za-z]{2}"
        r"|confirm\(\s*['\"]|createTextNode\(\s*['\"][^'\"]*[A-Za-z]{2}"
    )
    for script in sorted((ROOT / "static" / "js").glob("*.js")):
        found = written.findall(script.read_text())
        assert found == [], f"{script.name}: {found}"
