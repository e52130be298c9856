"""Stop words in WhatsApp replies: short requests to stop, not comments that contain the words."""

import pytest

from surveys.reading.optout import is_opt_out


@pytest.mark.parametrize(
    "text",
    ["BAJA", "Baja.", "baja por favor", "STOP", "Stop please", "no más", "No mas!!", "Darme de baja", "unsubscribe"],
)
def test_short_stop_requests_are_opt_outs(text):
    assert is_opt_out(text)


@pytest.mark.parametrize(
    "text",
    ["", "Gracias", "no", "Me encantó la taza", "no más de tres días tardó el envío, excelente", "¿Cuándo llega?"],
)
def test_replies_and_comments_are_not_opt_outs(text):
    assert not is_opt_out(text)
