"""The notification messages: what each shows, in English and Spanish, from a complete catalog."""

from collections.abc import Iterator
from datetime import UTC, datetime
from decimal import Decimal
from pathlib import Path

import pytest
from babel.messages.catalog import Catalog
from babel.messages.extract import extract_from_dir
from babel.messages.frontend import parse_mapping_cfg
from babel.messages.pofile import read_po
from jinja2 import UndefinedError

from activities.notifications.rendering import (
    LOCALE_DIR,
    TEMPLATES_DIR,
    RenderedMessage,
    Template,
    render,
)
from models.domain import CancelReason, Channel, Language

BABEL_CONFIG = Path(__file__).parents[2] / "babel.cfg"
SPANISH_CATALOG = LOCALE_DIR / "es" / "LC_MESSAGES" / "messages.po"
CATALOG_TEMPLATE = LOCALE_DIR / "messages.pot"

MAY_7 = datetime(2025, 5, 7, 9, 30, tzinfo=UTC)
SHIPMENT_ID = "0f1e6c52-8d3a-4b8e-9f57-3c2b1a0d9e84"
TRACKING_LINK = "https://fastship.test/track/Q2hlY2tvdXRUaGlzVHJhY2tpbmc"
REVIEW_LINK = "https://fastship.test/review/cmV2aWV3LXRva2Vu"

SAMPLES: dict[Template, dict[str, object]] = {
    Template.VERIFY_EMAIL: {
        "name": "Ana Ruiz",
        "link": "https://fastship.test/verify/seller?token=dmVyaWZ5",
        "expires_at": MAY_7,
    },
    Template.VERIFY_EMAIL_REMINDER: {
        "name": "Ana Ruiz",
        "link": "https://fastship.test/verify/seller?token=cmVtaW5k",
        "expires_at": MAY_7,
    },
    Template.PASSWORD_RESET: {
        "name": "Ana Ruiz",
        "link": "https://fastship.test/reset-password/seller?token=cmVzZXQ",
        "valid_minutes": 60,
    },
    Template.SHIPPED: {
        "content": "Running shoes, size 42",
        "tracking_link": TRACKING_LINK,
        "estimated_delivery": MAY_7,
    },
    Template.PARTNER_ASSIGNED: {
        "partner_name": "Rápido Couriers",
        "shipment_id": SHIPMENT_ID,
        "content": "Running shoes, size 42",
        "weight": Decimal("2.500"),  # as stored: Numeric(6, 3)
        "destination_zip": "28013",
    },
    Template.PARTNER_UNASSIGNED: {"partner_name": "Rápido Couriers", "shipment_id": SHIPMENT_ID},
    Template.OUT_FOR_DELIVERY: {
        "content": "Running shoes, size 42",
        "code": "482913",
        "tracking_link": TRACKING_LINK,
    },
    Template.DELIVERED: {"content": "Running shoes, size 42", "review_link": REVIEW_LINK},
    Template.CANCELLED: {"content": "Running shoes, size 42", "reason": CancelReason.SELLER},
    Template.PARTNER_CANCELLED: {
        "partner_name": "Rápido Couriers",
        "shipment_id": SHIPMENT_ID,
        "reason": CancelReason.SELLER,
    },
    Template.SELLER_CANCELLED: {
        "seller_name": "Tienda Sol",
        "shipment_id": SHIPMENT_ID,
        "reason": CancelReason.NO_PARTNER,
    },
    Template.DELAYED: {"content": "Running shoes, size 42", "tracking_link": TRACKING_LINK},
    Template.REVIEW_REMINDER: {"content": "Running shoes, size 42", "review_link": REVIEW_LINK},
}

# The sample values each message must show, by channel.
MUST_SHOW: dict[tuple[Template, Channel], tuple[str, ...]] = {
    (Template.VERIFY_EMAIL, Channel.EMAIL): ("name", "link"),
    (Template.VERIFY_EMAIL_REMINDER, Channel.EMAIL): ("name", "link"),
    (Template.PASSWORD_RESET, Channel.EMAIL): ("name", "link"),
    (Template.SHIPPED, Channel.EMAIL): ("content", "tracking_link"),
    (Template.PARTNER_ASSIGNED, Channel.EMAIL): (
        "partner_name",
        "shipment_id",
        "content",
        "destination_zip",
    ),
    (Template.PARTNER_UNASSIGNED, Channel.EMAIL): ("partner_name", "shipment_id"),
    (Template.OUT_FOR_DELIVERY, Channel.EMAIL): ("content", "code", "tracking_link"),
    (Template.OUT_FOR_DELIVERY, Channel.SMS): ("content", "code"),
    (Template.DELIVERED, Channel.EMAIL): ("content", "review_link"),
    (Template.DELIVERED, Channel.SMS): ("content",),
    (Template.CANCELLED, Channel.EMAIL): ("content",),
    (Template.PARTNER_CANCELLED, Channel.EMAIL): ("partner_name", "shipment_id"),
    (Template.SELLER_CANCELLED, Channel.EMAIL): ("seller_name", "shipment_id"),
    (Template.DELAYED, Channel.EMAIL): ("content", "tracking_link"),
    (Template.REVIEW_REMINDER, Channel.EMAIL): ("content", "review_link"),
}

SPANISH_WORDS: dict[Template, str] = {
    Template.VERIFY_EMAIL: "correo electrónico",
    Template.VERIFY_EMAIL_REMINDER: "Recordatorio",
    Template.PASSWORD_RESET: "contraseña",
    Template.SHIPPED: "pedido",
    Template.PARTNER_ASSIGNED: "Peso",
    Template.PARTNER_UNASSIGNED: "reasignado",
    Template.OUT_FOR_DELIVERY: "clave de entrega",
    Template.DELIVERED: "entregado",
    Template.CANCELLED: "cancelado",
    Template.PARTNER_CANCELLED: "no lo recoja",
    Template.SELLER_CANCELLED: "destinatario",
    Template.DELAYED: "retraso",
    Template.REVIEW_REMINDER: "opinión",
}

# GSM 03.38 basic alphabet: an SMS written in it fits 160 characters in one segment.
GSM_7 = frozenset(
    "@£$¥èéùìòÇ\nØø\rÅåΔ_ΦΓΛΩΠΨΣΘΞÆæßÉ !\"#¤%&'()*+,-./0123456789:;<=>?"
    "¡ABCDEFGHIJKLMNOPQRSTUVWXYZÄÖÑÜ§¿abcdefghijklmnopqrstuvwxyzäöñüà"
)


def rendered(
    template: Template,
    channel: Channel = Channel.EMAIL,
    language: Language = Language.EN,
    **changes: object,
) -> RenderedMessage:
    return render(template, channel, language, SAMPLES[template] | changes)


def shown_text(message: RenderedMessage) -> Iterator[str]:
    """Every part a person reads: subject, plain text and HTML (the ones the channel has)."""
    yield from (part for part in (message.subject, message.text, message.html) if part)


@pytest.mark.parametrize("language", list(Language))
@pytest.mark.parametrize(("template", "channel"), list(MUST_SHOW))
def test_each_message_shows_its_links_code_and_content(
    template: Template, channel: Channel, language: Language
) -> None:
    message = rendered(template, channel, language)

    bodies = [message.text] if channel is Channel.SMS else [message.text, message.html]
    for body in bodies:
        assert body is not None
        for key in MUST_SHOW[template, channel]:
            assert str(SAMPLES[template][key]) in body, (key, body)
    if channel is Channel.EMAIL:
        assert message.subject
        assert "\n" not in message.subject
        assert message.html is not None
        assert message.html.startswith("<!DOCTYPE html>")
        assert f'<html lang="{language}">' in message.html
        for key in MUST_SHOW[template, channel]:
            if key.endswith("link"):
                assert f'href="{SAMPLES[template][key]}"' in message.html  # clickable
    else:
        assert message.subject is None
        assert message.html is None


@pytest.mark.parametrize(("template", "channel"), list(MUST_SHOW))
def test_spanish_messages_are_written_in_spanish(template: Template, channel: Channel) -> None:
    english = rendered(template, channel, Language.EN)
    spanish = rendered(template, channel, Language.ES)

    assert spanish.text != english.text
    assert any(SPANISH_WORDS[template].lower() in part.lower() for part in shown_text(spanish))
    if channel is Channel.EMAIL:
        assert spanish.subject != english.subject
        assert "mensaje automático" in spanish.text


def test_only_out_for_delivery_and_delivered_have_an_sms() -> None:
    assert {template for template in Template if Channel.SMS in template.channels} == {
        Template.OUT_FOR_DELIVERY,
        Template.DELIVERED,
    }
    assert all(Channel.EMAIL in template.channels for template in Template)


@pytest.mark.parametrize(
    "template", [template for template in Template if Channel.SMS not in template.channels]
)
def test_a_channel_the_message_does_not_have_is_refused(template: Template) -> None:
    with pytest.raises(ValueError, match="sms"):
        rendered(template, Channel.SMS)


@pytest.mark.parametrize(
    ("template", "key"), [(template, key) for template in Template for key in SAMPLES[template]]
)
def test_a_missing_value_fails_loudly(template: Template, key: str) -> None:
    context = {name: value for name, value in SAMPLES[template].items() if name != key}
    with pytest.raises(UndefinedError, match=key):
        render(template, Channel.EMAIL, Language.EN, context)


@pytest.mark.parametrize("language", list(Language))
@pytest.mark.parametrize(
    "template", [template for template in Template if "content" in SAMPLES[template]]
)
def test_html_escapes_what_users_typed(template: Template, language: Language) -> None:
    content = '<script>alert("hi")</script>'
    message = rendered(template, Channel.EMAIL, language, content=content)

    assert content in message.text
    assert message.html is not None
    assert "<script>" not in message.html
    assert "&lt;script&gt;alert(&#34;hi&#34;)&lt;/script&gt;" in message.html


@pytest.mark.parametrize("language", list(Language))
@pytest.mark.parametrize("template", [Template.OUT_FOR_DELIVERY, Template.DELIVERED])
def test_sms_fit_one_segment_even_for_the_longest_content(
    template: Template, language: Language
) -> None:
    longest_content = ("Running shoes, size 42, with spare laces " * 13)[:500]
    message = rendered(template, Channel.SMS, language, content=longest_content)

    assert len(message.text) <= 160, message.text
    assert set(message.text) <= GSM_7, set(message.text) - GSM_7
    assert longest_content[:20] in message.text
    if template is Template.OUT_FOR_DELIVERY:
        assert "482913" in message.text


@pytest.mark.parametrize(
    ("language", "expected_date"),
    [(Language.EN, "May 7, 2025"), (Language.ES, "7 de mayo de 2025")],
)
@pytest.mark.parametrize(
    "template", [Template.VERIFY_EMAIL, Template.VERIFY_EMAIL_REMINDER, Template.SHIPPED]
)
def test_dates_are_written_the_reader_s_way(
    template: Template, language: Language, expected_date: str
) -> None:
    message = rendered(template, Channel.EMAIL, language)

    assert expected_date in message.text
    assert message.html is not None
    assert expected_date in message.html


@pytest.mark.parametrize(
    ("language", "expected_weight"), [(Language.EN, "2.5"), (Language.ES, "2,5")]
)
def test_weights_are_written_the_reader_s_way(language: Language, expected_weight: str) -> None:
    message = rendered(Template.PARTNER_ASSIGNED, Channel.EMAIL, language)

    assert f"{expected_weight} kg" in message.text
    assert message.html is not None
    assert f"{expected_weight} kg" in message.html


@pytest.mark.parametrize(
    ("language", "one_minute", "sixty_minutes"),
    [(Language.EN, "1 minute.", "60 minutes."), (Language.ES, "1 minuto.", "60 minutos.")],
)
def test_the_reset_link_lifetime_agrees_in_number(
    language: Language, one_minute: str, sixty_minutes: str
) -> None:
    assert one_minute in rendered(Template.PASSWORD_RESET, language=language, valid_minutes=1).text
    assert sixty_minutes in rendered(Template.PASSWORD_RESET, language=language).text


@pytest.mark.parametrize(
    ("language", "no_partner_reason"),
    [(Language.EN, "no delivery partner was available"), (Language.ES, "ningún repartidor")],
)
@pytest.mark.parametrize(
    "template", [Template.CANCELLED, Template.PARTNER_CANCELLED, Template.SELLER_CANCELLED]
)
def test_cancellations_say_why(
    template: Template, language: Language, no_partner_reason: str
) -> None:
    texts = {
        reason: rendered(template, Channel.EMAIL, language, reason=reason).text
        for reason in CancelReason
    }

    assert len(set(texts.values())) == len(CancelReason)
    assert no_partner_reason in texts[CancelReason.NO_PARTNER]
    assert no_partner_reason not in texts[CancelReason.SELLER]


def read_catalog(path: Path) -> Catalog:
    with path.open("rb") as po_file:
        return read_po(po_file)


def extracted_msgids() -> set[str]:
    """The msgids in the templates now, found as `pybabel extract -F babel.cfg` finds them."""
    with BABEL_CONFIG.open() as config:
        # Babel leaves this function unannotated.
        method_map, options_map = parse_mapping_cfg(config, str(BABEL_CONFIG))  # type: ignore[no-untyped-call]
    return {
        message if isinstance(message, str) else message[0]
        for _filename, _line, message, _comments, _context in extract_from_dir(
            TEMPLATES_DIR, method_map, options_map
        )
    }


def catalog_msgids(catalog: Catalog) -> set[str]:
    return {
        message.id if isinstance(message.id, str) else message.id[0]
        for message in catalog
        if message.id
    }


def test_the_spanish_catalog_translates_every_message() -> None:
    catalog = read_catalog(SPANISH_CATALOG)
    msgids = extracted_msgids()

    assert len(msgids) > 40  # the extraction did find the templates' sentences
    for msgid in msgids:
        message = catalog.get(msgid)
        assert message is not None, f"not in the Spanish catalog: {msgid!r}"
        assert not message.fuzzy, f"fuzzy: {msgid!r}"
        translations = [message.string] if isinstance(message.string, str) else message.string
        assert translations, f"untranslated: {msgid!r}"
        assert all(translations), f"untranslated: {msgid!r}"
    assert not list(catalog.check())  # placeholders and plural forms agree with the msgids


def test_the_catalogs_hold_nothing_stale() -> None:
    spanish = read_catalog(SPANISH_CATALOG)
    msgids = extracted_msgids()

    assert not spanish.obsolete
    assert catalog_msgids(spanish) == msgids
    assert catalog_msgids(read_catalog(CATALOG_TEMPLATE)) == msgids
