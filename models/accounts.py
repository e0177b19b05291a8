"""Accounts: sellers, delivery partners, and the operators who watch over every shipment."""

from datetime import datetime

from sqlalchemy import CheckConstraint, Index, String, func, literal_column
from sqlalchemy.dialects.postgresql import ARRAY
from sqlalchemy.orm import Mapped, mapped_column

from models.base import Base, Timestamps, UUIDPrimaryKey, enum_column
from models.domain import Language


class Account(UUIDPrimaryKey, Timestamps):
    name: Mapped[str] = mapped_column(String(200))
    email: Mapped[str] = mapped_column(String(320))
    password_hash: Mapped[str] = mapped_column(String(200))
    email_verified_at: Mapped[datetime | None]
    # The language of the messages the account receives.
    language: Mapped[Language] = mapped_column(
        enum_column(Language, "language", 5), server_default=Language.EN
    )


class Seller(Account, Base):
    __tablename__ = "sellers"
    __table_args__ = (
        Index("uq_sellers_email_lower", func.lower(literal_column("email")), unique=True),
    )


class Partner(Account, Base):
    __tablename__ = "partners"
    __table_args__ = (
        Index("uq_partners_email_lower", func.lower(literal_column("email")), unique=True),
        Index("ix_partners_serviceable_zip_codes", "serviceable_zip_codes", postgresql_using="gin"),
        CheckConstraint("max_handling_capacity > 0", name="positive_capacity"),
    )

    serviceable_zip_codes: Mapped[list[str]] = mapped_column(ARRAY(String(10)))
    max_handling_capacity: Mapped[int]


class Operator(Account, Base):
    """Created by `fastship create-operator`, verified from the start; never by a signup."""

    __tablename__ = "operators"
    __table_args__ = (
        Index("uq_operators_email_lower", func.lower(literal_column("email")), unique=True),
    )


# Whom a login can be for.
AnyAccount = Seller | Partner | Operator
