"""The demo's calls read in the visitor's language (issue 18: call texts translatable like the
rest): every call's title, summary and text, its FAQ and its documents exist in French, English
and German, and a call's page shows the English or German ones to readers of those languages."""

import html

import pytest
from django.utils import timezone

from adn_portal.accounts.models import User
from adn_portal.demo.users import seed_users
from programs.demo import seed_calls
from programs.demo_pages import seed_call_pages
from programs.models import Call, CallDocument, CallQuestion

pytestmark = pytest.mark.django_db

LANGUAGES = ("fr", "en", "de")


@pytest.fixture
def demo_calls():
    calls = seed_calls(now=timezone.now())
    seed_users()
    seed_call_pages(calls=calls, by=User.objects.get(email="gestionnaire@adn.demo"))
    return calls


def test_every_demo_call_text_faq_entry_and_document_exists_in_the_three_languages(demo_calls):
    texts = [
        *((call, name) for call in Call.objects.all() for name in ("title", "summary", "text")),
        *((q, name) for q in CallQuestion.objects.all() for name in ("question", "answer")),
        *((document, "title") for document in CallDocument.objects.all()),
    ]
    missing = [
        f"{row!r}.{name}_{language}"
        for row, name in texts
        for language in LANGUAGES
        if not getattr(row, f"{name}_{language}").strip()
    ]
    assert not missing
    # The demo offers what an agency's call page offers: regulations, a template, and a budget
    # model where the form asks for a budget; and a FAQ.
    for call in Call.objects.all():
        kinds = set(call.documents.values_list("kind", flat=True))
        assert {CallDocument.Kind.REGULATIONS, CallDocument.Kind.TEMPLATE} <= kinds, call.slug
        assert (CallDocument.Kind.BUDGET_MODEL in kinds) == ("budget" in call.form_sections)
        assert call.questions.count() >= 3, call.slug
    # Different in each language (not the French copied); a call's title may be a name that
    # two languages share ("Supply & Industrie 4.0" in French and German).
    copied = [
        f"{r!r}.{n}"
        for r, n in texts
        if len({getattr(r, f"{n}_{lang}") for lang in LANGUAGES}) < 3
        and not (isinstance(r, Call) and n == "title")
    ]
    assert not copied


@pytest.mark.parametrize("language", ["en", "de"])
def test_a_demo_calls_page_shows_its_texts_faq_and_documents_in_the_readers_language(
    client, demo_calls, language
):
    call = Call.objects.get(slug="tremplin-ia-entreprises")
    client.cookies["adn_language"] = language

    page = client.get(call.get_absolute_url())

    assert page.status_code == 200
    text = html.unescape(page.content.decode())
    shown = [
        getattr(call, f"title_{language}"),
        getattr(call, f"summary_{language}"),
        *getattr(call, f"text_{language}").split("\n\n"),
        *(getattr(q, f"question_{language}") for q in call.questions.all()),
        *(getattr(q, f"answer_{language}") for q in call.questions.all()),
        *(getattr(d, f"title_{language}") for d in call.documents.all()),
    ]
    assert [s for s in shown if s not in text] == []
    french = [
        call.summary_fr,
        *(q.question_fr for q in call.questions.all()),
        *(d.title_fr for d in call.documents.all()),
    ]
    assert [s for s in french if s in text] == []


def test_the_demo_documents_are_real_files_the_public_downloads(client, demo_calls):
    call = Call.objects.get(slug="tremplin-ia-entreprises")
    starts = {
        "application/pdf": b"%PDF",
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet": b"PK",
    }
    for document in call.documents.all():
        download = client.get(document.get_absolute_url())
        assert download.status_code == 200, document
        assert b"".join(download.streaming_content).startswith(starts[download["Content-Type"]])


def test_seeding_the_call_pages_again_adds_nothing(demo_calls):
    before = (CallDocument.objects.count(), CallQuestion.objects.count())

    added = seed_call_pages(calls=demo_calls, by=User.objects.get(email="gestionnaire@adn.demo"))

    assert added == 0
    assert (CallDocument.objects.count(), CallQuestion.objects.count()) == before
