"""The live contract check itself, fed made-up answers (no engine): it must catch a difference.

tests/live/test_apps.py sends every RAW_CASES request to every image and judges the reply with
answer_problems. If that judge let a wrong answer through, all images would "pass" while the
languages drift apart; these tests show it fails as soon as one language answers differently.
"""

from __future__ import annotations

import pytest

from tests.live.contract_cases import RAW_CASES, answer_problems, parse_reply

CASES = {case[0]: case for case in RAW_CASES}


def reply(status: int, body: bytes, content_type: str = "application/json",
          extra: str = "", reason: str = "X") -> bytes:
    head = (f"HTTP/1.1 {status} {reason}\r\nContent-Type: {content_type}\r\n"
            f"Content-Length: {len(body)}\r\n{extra}Connection: close\r\n\r\n")
    return head.encode() + body


def contract_reply(language: str, case: tuple) -> bytes:
    """What an app that keeps the contract sends for ``case``."""
    _, _, status, body = case
    return reply(status, body.replace("{lang}", language).encode(),
                 extra="Allow: GET\r\n" if status == 405 else "")


@pytest.mark.parametrize("language", ["go", "java", "python"])
def test_every_case_passes_when_answered_as_the_contract_says(language):
    for case in RAW_CASES:
        assert answer_problems(language, case, contract_reply(language, case)) == [], case[0]


def test_the_cases_cover_what_the_languages_used_to_disagree_on():
    for name in ("GET //", "GET //healthz", "GET /%68ealthz", "GET /nope%zz", "GET /primes?n=%zz",
                 "request line 20 KB", "header 100 KB", "HEAD /healthz", "garbage"):
        assert name in CASES


def test_javas_old_html_400_for_a_double_slash_fails():
    # What the JDK's built-in server sent for "GET //" before any handler ran.
    html = b"<h1>400 Bad Request</h1>Bad request URI"
    problems = answer_problems("java", CASES["GET //"],
                               reply(400, html, content_type="text/html;charset=utf-8"))
    assert any("got 400" in p and "want 404" in p for p in problems)
    assert any("Content-Type" in p for p in problems)


def test_one_byte_of_difference_in_the_body_fails():
    # Same status, same headers, a body that differs by one space: still a failure.
    problems = answer_problems("go", CASES["GET /nope%zz"], reply(404, b'{"error": "not found"}\n'))
    assert len(problems) == 1 and "want 404" in problems[0]


def test_another_status_with_the_right_body_fails():
    # 414 is the contract's answer for "request line 20 KB"; 431 with that body is not.
    problems = answer_problems("python", CASES["request line 20 KB"],
                               reply(431, b'{"error":"request line too long"}\n'))
    assert problems and "got 431" in problems[0]


def test_the_language_field_is_the_only_allowed_difference():
    case = CASES["HTTP/1.0"]
    assert answer_problems("python", case, contract_reply("python", case)) == []
    assert answer_problems("python", case, contract_reply("go", case)) != []


def test_a_body_on_head_fails():
    problems = answer_problems("java", CASES["HEAD /healthz"],
                               reply(405, b'{"error":"method not allowed"}\n', extra="Allow: GET\r\n"))
    assert problems


def test_a_missing_or_stray_allow_header_fails():
    case = CASES["PATCH /primes?n=5"]
    assert answer_problems("go", case, reply(405, case[3].encode()))  # no Allow
    case = CASES["GET //"]
    assert answer_problems("go", case, reply(404, case[3].encode(), extra="Allow: GET\r\n"))


def test_no_answer_at_all_fails():
    assert answer_problems("go", CASES["header 100 KB"], b"")
    assert parse_reply(b"")[0] is None


def test_an_interim_100_continue_is_skipped():
    case = CASES["Expect: 100-continue"]
    data = b"HTTP/1.1 100 Continue\r\n\r\n" + contract_reply("go", case)
    assert answer_problems("go", case, data) == []
