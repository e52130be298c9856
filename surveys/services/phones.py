"""Phone numbers: any common notation to E.164 with the ``phonenumbers`` library.

Lives beside intake until the project has one module of input parsers. Mexico's
old mobile prefix (+52 1 …, still how WhatsApp reports many Mexican senders) is
folded into the current +52 form, so the same customer is one number everywhere.
``phonenumbers`` (58 modules, about 1 MB) is imported when a number is first read:
most deliveries and requests carry none.
"""

from __future__ import annotations

from flask_babel import gettext

# A store's country when none is set: from its time zone, for the markets we serve most.
_ZONE_COUNTRY = {
    "America/Mexico_City": "MX",
    "America/Monterrey": "MX",
    "America/Merida": "MX",
    "America/Cancun": "MX",
    "America/Chihuahua": "MX",
    "America/Hermosillo": "MX",
    "America/Mazatlan": "MX",
    "America/Tijuana": "MX",
    "America/Bogota": "CO",
    "America/Lima": "PE",
    "America/Santiago": "CL",
    "America/Argentina/Buenos_Aires": "AR",
    "America/Buenos_Aires": "AR",
    "America/Montevideo": "UY",
    "America/Guatemala": "GT",
    "America/Costa_Rica": "CR",
    "America/Panama": "PA",
    "America/Guayaquil": "EC",
    "America/La_Paz": "BO",
    "America/Asuncion": "PY",
    "America/Caracas": "VE",
    "America/Santo_Domingo": "DO",
    "Europe/Madrid": "ES",
    "Atlantic/Canary": "ES",
}


class InvalidPhone(ValueError):
    """Not a phone number we could send to."""


def country_for(default_country: str | None, timezone: str | None) -> str | None:
    """The region used for numbers written without a country code."""
    code = default_country or _ZONE_COUNTRY.get(timezone or "")
    return code.upper() if code else None


def valid_country(code: str) -> bool:
    import phonenumbers

    return code.upper() in phonenumbers.SUPPORTED_REGIONS


def normalize_phone(value: str, country: str | None) -> str:
    """'55 1234 5678' (MX) -> '+525512345678'; raises InvalidPhone with a reason."""
    import phonenumbers

    text = (value or "").strip()
    if not text or len(text) > 40:
        raise InvalidPhone(gettext("not a valid phone number"))
    try:
        number = phonenumbers.parse(text, country)
    except phonenumbers.NumberParseException as exc:
        if exc.error_type == phonenumbers.NumberParseException.INVALID_COUNTRY_CODE:
            raise InvalidPhone(gettext("add the country code (e.g. +52) or set the store's default country")) from exc
        raise InvalidPhone(gettext("not a valid phone number")) from exc
    number = _without_mexican_mobile_one(number)
    if not phonenumbers.is_valid_number(number):
        raise InvalidPhone(gettext("not a valid phone number"))
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)


def _without_mexican_mobile_one(number):
    national = str(number.national_number)
    if number.country_code == 52 and len(national) == 11 and national.startswith("1"):
        number.national_number = int(national[1:])
    return number


def wa_digits(e164: str) -> str:
    """The Cloud API's ``to``: the E.164 digits without the plus."""
    return e164.lstrip("+")


def sender_candidates(wa_id: str) -> list[str]:
    """E.164 forms a webhook sender id may stand for ('5215512345678' is also '+525512345678')."""
    digits = "".join(ch for ch in str(wa_id) if "0" <= ch <= "9")  # ASCII only: "²" is a digit to isdigit()
    out = ["+" + digits]
    if digits.startswith("521") and len(digits) == 13:
        out.append("+52" + digits[3:])
    elif digits.startswith("52") and len(digits) == 12:
        out.append("+521" + digits[2:])
    return out
