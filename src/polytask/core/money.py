"""Exact money: integer minor units of an ISO 4217 currency, never floats.

`to_minor` reads what clients send (a decimal string such as "50000.00", an integer, or a
JSON number that is an exact decimal with no more places than the currency has) and
`format_minor` writes the decimal string back. Arithmetic stays in integers; a division
(valuing minutes at an hourly rate, a share) rounds half away from zero, once, at the end.
"""

from __future__ import annotations

import re
from decimal import Decimal, InvalidOperation
from typing import Final

from polytask.core.errors import ValidationFailed

# Currencies whose minor unit is not the hundredth (ISO 4217 exponents); the rest have 2.
_EXPONENTS: Final[dict[str, int]] = {
    **dict.fromkeys(("BIF", "CLP", "DJF", "GNF", "ISK", "JPY", "KMF", "KRW", "PYG", "RWF", "UGX", "UYI"), 0),
    **dict.fromkeys(("VND", "VUV", "XAF", "XOF", "XPF"), 0),
    **dict.fromkeys(("BHD", "IQD", "JOD", "KWD", "LYD", "OMR", "TND"), 3),
}
# The largest amount a column holds comfortably: sums of many stay inside 64-bit integers.
MAX_MINOR: Final = 10**15
_CODE = re.compile(r"^[A-Z]{3}$")


def exponent(currency: str) -> int:
    return _EXPONENTS.get(currency, 2)


def check_currency(currency: str, field: str = "currency") -> str:
    """An ISO 4217 code in capitals ("USD"), else a 422 naming `field`."""
    if not isinstance(currency, str) or not _CODE.match(currency):
        raise ValidationFailed.field(field, "must be a three-letter ISO 4217 code such as 'USD'", currency)
    return currency


def to_minor(value: object, currency: str, field: str, *, allow_negative: bool = False) -> int:
    """`value` (a decimal string, an integer or an exact JSON number) in minor units of `currency`."""
    if isinstance(value, bool) or not isinstance(value, str | int | float | Decimal):
        raise ValidationFailed.field(field, "must be an amount such as '50000.00'")
    try:
        amount = Decimal(str(value).strip()) if not isinstance(value, Decimal) else value
    except InvalidOperation:
        raise ValidationFailed.field(field, "must be an amount such as '50000.00'", str(value)[:40]) from None
    if not amount.is_finite():
        raise ValidationFailed.field(field, "must be a finite amount", str(value)[:40])
    scaled = amount.scaleb(exponent(currency))
    if scaled != scaled.to_integral_value():
        raise ValidationFailed.field(
            field, f"has more decimal places than {currency} has ({exponent(currency)})", str(value)[:40]
        )
    minor = int(scaled)
    if minor < 0 and not allow_negative:
        raise ValidationFailed.field(field, "must not be negative", str(value)[:40])
    if abs(minor) > MAX_MINOR:
        raise ValidationFailed.field(field, "is too large", str(value)[:40])
    return minor


def format_minor(minor: int, currency: str) -> str:
    """Minor units as a decimal string with the currency's places: 5000000 USD -> "50000.00"."""
    places = exponent(currency)
    return str(Decimal(minor).scaleb(-places).quantize(Decimal(1).scaleb(-places)))


def divide_rounded(numerator: int, denominator: int) -> int:
    """numerator / denominator in integers, half away from zero."""
    quotient, remainder = divmod(abs(numerator), denominator)
    if remainder * 2 >= denominator:
        quotient += 1
    return quotient if numerator >= 0 else -quotient
