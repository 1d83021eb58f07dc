from __future__ import annotations

import codecs
import json

import pytest

from watchtui.domain.errors import FeedError
from watchtui.sources.sniff import sniff_kind


def _j(value: object) -> bytes:
    return json.dumps(value).encode()


@pytest.mark.parametrize(
    ("payload", "kind"),
    [
        (_j({"page": {"id": "kctbh9vrtdwd"}, "status": {}, "components": []}), "statuspage"),
        (_j({"page": {"id": "kctbh9vrtdwd"}, "incident": {}}), "statuspage"),
        (_j({"page": {"id": "01JMDK9XABCDEFGHJKMNPQRSTV"}, "components": []}), "incidentio"),
        (_j([{"id": "x", "external_desc": "d", "begin": "2022-01-01T00:00:00Z"}]), "gcp"),
        (_j([{"arn": "arn:aws:health:us-east-1::event/x", "event_log": []}]), "aws"),
        (_j([]), "aws"),
        (_j({"archive": [], "current": []}), "aws"),
        (_j({"status": "ok", "active_incidents": []}), "slack"),
        (_j({"result": {"status_overall": {"status_code": 100}}}), "statusio"),
        (_j({"data": {"type": "status_page", "attributes": {}}, "included": []}), "betterstack"),
        (_j({"status": [], "incidents": [], "scheduled": []}), "heroku"),
        (_j({"page": {"name": "P", "status": "UP"}, "activeIncidents": []}), "instatus"),
        (_j({"incidents": [{"id": "x", "lastUpdateStatus": "RESOLVED"}]}), "checkly"),
        (b'<?xml version="1.0"?><feed xmlns="http://www.w3.org/2005/Atom"></feed>', "rss"),
        (b"<rss><channel><title>Example</title></channel></rss>", "rss"),
        (
            b"<rss><channel><title>Azure Status</title>"
            b"<link>https://azure.status.microsoft/en-us/status/</link></channel></rss>",
            "azure",
        ),
        (
            b"<rss><channel><title><![CDATA[Amazon Web Services Service Status]]></title>"
            b"<generator>AWS Service Health Dashboard RSS Generator</generator></channel></rss>",
            "aws-rss",
        ),
    ],
)
def test_sniffs_structure(payload: bytes, kind: str) -> None:
    assert sniff_kind(payload) == kind


def test_utf16_with_bom_is_sniffed() -> None:
    payload = codecs.BOM_UTF16_BE + json.dumps([{"arn": "a", "event_log": []}]).encode("utf-16-be")
    assert sniff_kind(payload) == "aws"


@pytest.mark.parametrize(
    "payload",
    [b'{"hello": 1}', b"<html><body>502 Bad Gateway</body></html>", b"\xff\x00garbage", b"42"],
)
def test_unrecognised_payloads_are_feed_errors(payload: bytes) -> None:
    with pytest.raises(FeedError):
        sniff_kind(payload)


def test_xml_declaring_an_unknown_encoding_is_a_feed_error() -> None:
    from watchtui.sources import parse_payload

    payload = b'<?xml version="1.0" encoding="Atf-8"?><rss><channel></channel></rss>'
    for kind in ("rss", "azure", "aws-rss"):
        with pytest.raises(FeedError):
            parse_payload(kind, payload)


def test_html_page_is_named_not_refused_as_unsafe_xml() -> None:
    from watchtui.sources import parse_payload

    page = b"<!DOCTYPE html>\n<html><head><title>Login</title></head><body>portal</body></html>"
    with pytest.raises(FeedError, match="HTML page"):
        parse_payload("azure", page)


def test_utf16_without_bom_is_named() -> None:
    from watchtui.sources import parse_payload

    with pytest.raises(FeedError, match="UTF-16 without a byte-order mark"):
        parse_payload("statuspage", '{"page": {}}'.encode("utf-16-le"))
