"""A message encoded once and copied per recipient reads exactly like one composed in full."""

from email import message_from_bytes, policy

from reports.mail.compose import PreparedEmail, compose, encode_bodies, prepared_or_composed

PARTS = (
    "2023年第53周 周报：一个足够长、需要按 RFC 2047 编码并折行的中文主题 " * 2,
    "本周进度\nPOS收单系统建设 81.43%\n退订：https://okr.example.com/unsubscribe/abc/\n",
    "<table><tr><td>POS收单系统建设</td><td>81.43%</td></tr></table>" * 40,
)
UNSUBSCRIBE = "https://okr.example.com/unsubscribe/abc/"
HEADERS = ("Subject", "To", "From", "List-Unsubscribe", "List-Unsubscribe-Post", "Auto-Submitted", "MIME-Version")


def parsed(message):
    return message_from_bytes(message.message().as_bytes(linesep="\r\n"), policy=policy.default)


def test_a_prepared_copy_reads_like_the_composed_message():
    prepared = parsed(
        PreparedEmail(parts=PARTS, to="a@example.com", unsubscribe=UNSUBSCRIBE, encoded=encode_bodies(PARTS))
    )
    composed = parsed(compose(parts=PARTS, to="a@example.com", unsubscribe=UNSUBSCRIBE))
    for header in HEADERS:
        assert prepared[header] == composed[header], header
    for kind in ("plain", "html"):
        assert prepared.get_body((kind,)).get_content() == composed.get_body((kind,)).get_content()
    assert prepared["Date"] and prepared["Message-ID"] and "stand-in" not in str(prepared)


def test_each_copy_has_its_own_address_and_message_id():
    encoded = encode_bodies(PARTS)
    one, two = (
        parsed(PreparedEmail(parts=PARTS, to=to, unsubscribe=None, encoded=encoded))
        for to in ("a@example.com", "b@example.com")
    )
    assert (one["To"], two["To"]) == ("a@example.com", "b@example.com")
    assert one["Message-ID"] != two["Message-ID"] and one["List-Unsubscribe"] is None


def test_what_cannot_travel_as_8bit_is_composed_in_full():
    too_long = (PARTS[0], "x" * 2000, PARTS[2])
    assert encode_bodies(too_long) is None
    message = prepared_or_composed(parts=too_long, to="a@example.com", unsubscribe=None, encoded=None)
    assert (
        not isinstance(message, PreparedEmail)
        and parsed(message).get_body(("plain",)).get_content().strip() == "x" * 2000
    )
    unicode_address = prepared_or_composed(
        parts=PARTS, to="张@例子.中国", unsubscribe=None, encoded=encode_bodies(PARTS)
    )
    assert not isinstance(unicode_address, PreparedEmail)
