"""Turns a template, a channel and a language into the message a person reads.

Templates are written in English, the source language. Other languages come from the gettext
catalogs under ``locale/``: each is read with Babel and compiled in memory the first time it is
needed, so no compiled ``.mo`` file is kept in the repository.
"""

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from enum import StrEnum
from functools import cache
from io import BytesIO
from pathlib import Path

from babel.dates import format_date
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po
from babel.support import NullTranslations, Translations
from babel.units import format_unit
from jinja2 import Environment, FileSystemLoader, StrictUndefined, Undefined, select_autoescape

from models.domain import CancelReason, Channel, Language

SOURCE_LANGUAGE = Language.EN
TEMPLATES_DIR = Path(__file__).parent / "templates"
LOCALE_DIR = Path(__file__).parent / "locale"
CATALOG_DOMAIN = "messages"


class Template(StrEnum):
    VERIFY_EMAIL = "verify_email"
    VERIFY_EMAIL_REMINDER = "verify_email_reminder"
    PASSWORD_RESET = "password_reset"  # noqa: S105 (a template name, not a password)
    SHIPPED = "shipped"
    PARTNER_ASSIGNED = "partner_assigned"
    PARTNER_UNASSIGNED = "partner_unassigned"
    OUT_FOR_DELIVERY = "out_for_delivery"
    DELIVERED = "delivered"
    CANCELLED = "cancelled"
    PARTNER_CANCELLED = "partner_cancelled"
    SELLER_CANCELLED = "seller_cancelled"
    DELAYED = "delayed"
    REVIEW_REMINDER = "review_reminder"

    @property
    def channels(self) -> frozenset[Channel]:
        """Every message has an email; only the recipient's delivery updates also go by SMS."""
        if self in SMS_TEMPLATES:
            return frozenset(Channel)
        return frozenset({Channel.EMAIL})


SMS_TEMPLATES = frozenset({Template.OUT_FOR_DELIVERY, Template.DELIVERED})


@dataclass(frozen=True)
class RenderedMessage:
    subject: str | None  # email only
    text: str  # plain text: the email body, or the SMS
    html: str | None  # email only


def render(
    template: Template, channel: Channel, language: Language, context: Mapping[str, object]
) -> RenderedMessage:
    """The message in that language; a missing context value raises jinja2.UndefinedError."""
    if channel not in template.channels:
        raise ValueError(f"the {template} message has no {channel} version")
    environment = _environment(language)

    def fill(name: str) -> str:
        return environment.get_template(name).render(context).strip()

    if channel is Channel.SMS:
        return RenderedMessage(subject=None, text=fill(f"sms/{template}.txt"), html=None)
    return RenderedMessage(
        subject=fill(f"email/{template}.subject.txt"),
        text=fill(f"email/{template}.txt") + "\n",
        html=fill(f"email/{template}.html") + "\n",
    )


@cache
def _environment(language: Language) -> Environment:
    environment = Environment(
        loader=FileSystemLoader(TEMPLATES_DIR),
        autoescape=select_autoescape(enabled_extensions=("html",), default_for_string=False),
        undefined=StrictUndefined,
        lstrip_blocks=True,
        extensions=["jinja2.ext.i18n"],
        # The templates ship with the code: no stat() of each one on every render.
        auto_reload=False,
    )
    # Long sentences may wrap inside {% trans %}; the catalog holds them on one line.
    environment.policies["ext.i18n.trimmed"] = True
    # Added by the i18n extension at run time, hence unknown to the type checker.
    environment.install_gettext_translations(  # type: ignore[attr-defined]
        _translations(language), newstyle=True
    )
    environment.globals |= {"language": language.value, "CancelReason": CancelReason}
    environment.filters |= {
        "long_date": _long_date_filter(language),
        "kilograms": _kilograms_filter(language),
    }
    return environment


@cache
def _translations(language: Language) -> NullTranslations:
    if language == SOURCE_LANGUAGE:
        return NullTranslations()
    po_path = LOCALE_DIR / language.value / "LC_MESSAGES" / f"{CATALOG_DOMAIN}.po"
    with po_path.open("rb") as po_file:
        catalog = read_po(po_file, locale=language.value, domain=CATALOG_DOMAIN)
    compiled = BytesIO()
    write_mo(compiled, catalog)
    compiled.seek(0)
    return Translations(compiled, domain=CATALOG_DOMAIN)


def _long_date_filter(language: Language) -> Callable[[datetime | Undefined], str]:
    def long_date(value: datetime | Undefined) -> str:
        if isinstance(value, Undefined):
            value._fail_with_undefined_error()  # Babel would fail less clearly
        return format_date(value, "long", locale=language.value)

    return long_date


def _kilograms_filter(language: Language) -> Callable[[float | Decimal | Undefined], str]:
    def kilograms(value: float | Decimal | Undefined) -> str:
        if isinstance(value, Undefined):
            value._fail_with_undefined_error()
        return format_unit(value, "mass-kilogram", "short", locale=language.value)

    return kilograms
