"""APIConnector: Parsons' methods, auth, errors that name method, URL and status, no secrets."""

from __future__ import annotations

import logging
from http import HTTPStatus

import pytest
import requests

from tests.http.conftest import FAST_RETRY
from turnout.emulators.base import EmulatorServer
from turnout.errors import (
    AuthenticationError,
    ClientError,
    HTTPError,
    NotFoundError,
    ResponseFormatError,
    TurnoutError,
)
from turnout.http import APIConnector, BasicAuth, BearerAuth, HeaderAuth


def test_trailing_slash_is_added_and_relative_urls_join(http_server: EmulatorServer) -> None:
    client = APIConnector(http_server.url)
    assert client.uri == http_server.url + "/"
    assert client.full_url("echo") == http_server.url + "/echo"
    assert client.full_url("http://127.0.0.1:1/x") == "http://127.0.0.1:1/x"


def test_get_request_returns_json_with_repeated_params(connector: APIConnector) -> None:
    body = connector.get_request("echo", params={"organization_id": [1, 2], "q": "a"})
    assert body["method"] == "GET"
    assert body["args"] == {"organization_id": ["1", "2"], "q": ["a"]}


def test_get_request_content_returns_bytes(connector: APIConnector) -> None:
    content = connector.get_request("html", return_format="content")
    assert content == b"<html>bad gateway</html>"


def test_post_put_patch_delete_return_json_or_status(connector: APIConnector) -> None:
    assert connector.post_request("echo", json={"a": 1})["json"] == {"a": 1}
    assert connector.put_request("echo", json={"b": 2})["method"] == "PUT"
    assert connector.patch_request("echo", json={"c": 3})["json"] == {"c": 3}
    assert connector.delete_request("echo")["method"] == "DELETE"
    assert connector.post_request("no-body") == 204
    assert connector.delete_request("no-body") == 204


def test_unexpected_success_code_returns_none(connector: APIConnector) -> None:
    assert connector.post_request("echo", json={}, success_codes=[201]) is None


def test_request_returns_error_responses_and_validate_response_raises(
    connector: APIConnector,
) -> None:
    response = connector.request("status/404", "GET")
    assert response.status_code == 404
    with pytest.raises(NotFoundError) as caught:
        connector.validate_response(response)
    assert isinstance(caught.value, requests.exceptions.HTTPError)
    assert caught.value.status == 404


@pytest.mark.parametrize(
    ("code", "error_class"),
    [(400, ClientError), (401, AuthenticationError), (403, AuthenticationError),
     (404, NotFoundError), (422, ClientError)],
)  # fmt: skip
def test_status_errors_name_method_url_and_status(
    connector: APIConnector, http_server: EmulatorServer, code: int, error_class: type
) -> None:
    with pytest.raises(error_class) as caught:
        connector.get_request(f"status/{code}", params={"say": "hi"})
    error = caught.value
    assert isinstance(error, requests.exceptions.HTTPError)
    assert isinstance(error, TurnoutError)
    assert (error.method, error.status) == ("GET", code)
    assert error.url == f"{http_server.url}/status/{code}?say=hi"
    assert str(error).startswith(f"GET {http_server.url}/status/{code}?say=hi returned HTTP {code}")
    assert error.body == {"error": f"status {code}", "echo": "hi"}
    # A client error is permanent: asked once only.
    assert len(http_server.app.requests_to(f"/status/{code}")) == 1


@pytest.mark.parametrize(
    ("code", "hinted"), [(401, True), (403, True), (404, False), (422, False), (500, False)]
)
def test_credential_hint_ends_only_authentication_errors(
    http_server: EmulatorServer, code: int, hinted: bool
) -> None:
    plain = APIConnector(http_server.url, retry=FAST_RETRY)
    client = APIConnector(http_server.url, retry=FAST_RETRY, credential_hint="check EXAMPLE_KEY")
    with pytest.raises(HTTPError) as unhinted:
        plain.get_request(f"status/{code}")
    with pytest.raises(HTTPError) as caught:
        client.get_request(f"status/{code}")
    response = client.request(f"status/{code}", "GET")
    with pytest.raises(HTTPError) as validated:
        client.validate_response(response)

    expected = str(unhinted.value) + ("; check EXAMPLE_KEY" if hinted else "")
    assert str(caught.value) == expected
    assert str(validated.value) == expected
    assert str(unhinted.value) == (
        f"GET {http_server.url}/status/{code} returned HTTP {code} "
        f'{HTTPStatus(code).phrase.upper()}: {{"error":"status {code}","echo":null}}'
    )


def test_data_parse_and_next_page_check(http_server: EmulatorServer) -> None:
    client = APIConnector(http_server.url, pagination_key="next", data_key="data")
    assert client.data_parse([1, 2]) == [1, 2]
    assert client.data_parse({"data": [3], "next": None}) == [3]
    assert client.data_parse({"other": 1}) == {"other": 1}
    assert client.next_page_check_url({"next": "http://x/2"}) is True
    assert client.next_page_check_url({"next": None}) is False
    assert client.next_page_check_url({}) is False


def test_parsons_style_paging_from_constructor_keys(http_server: EmulatorServer) -> None:
    client = APIConnector(http_server.url, pagination_key="next", data_key="data")
    ids = [record["id"] for record in client.records("next-url", {"tag": "x"})]
    assert ids == list(range(1, 24))


def test_bearer_header_and_basic_auth_reach_the_server(http_server: EmulatorServer) -> None:
    bearer = APIConnector(http_server.url, auth=BearerAuth("bearer-token-1111"))
    assert bearer.get_request("echo")["authorization"] == "Bearer bearer-token-1111"

    header = APIConnector(http_server.url, auth=HeaderAuth("OSDI-API-Token", "osdi-token-2222"))
    assert header.get_request("echo")["token"] == "osdi-token-2222"

    basic = APIConnector(http_server.url, auth=("user", "basic-pass-3333"))
    assert basic.get_request("echo")["authorization"] == "Basic dXNlcjpiYXNpYy1wYXNzLTMzMzM="
    assert isinstance(basic.auth, BasicAuth)
    assert repr(basic.auth) == "BasicAuth('user', ***)"

    headers = APIConnector(http_server.url, headers={"Authorization": "Bearer hdr-token-4444"})
    assert headers.get_request("echo")["authorization"] == "Bearer hdr-token-4444"


def test_secrets_never_reach_errors_reprs_or_logs(
    http_server: EmulatorServer, caplog: pytest.LogCaptureFixture
) -> None:
    token = "very-secret-token-5555"
    client = APIConnector(
        http_server.url, auth=BearerAuth(token), retry=FAST_RETRY, headers={"X-Api-Key": token}
    )
    caplog.set_level(logging.DEBUG)

    # The server echoes the token in its error body, and the caller put it in the query.
    with pytest.raises(AuthenticationError) as caught:
        client.get_request("status/403", params={"say": token, "api_key": token})

    assert token not in str(caught.value)
    assert token not in repr(caught.value)
    assert token not in str(caught.value.body)
    assert token not in repr(client)
    assert token not in repr(client.auth)
    # urllib3 and the test server log raw request lines of their own (the CLI's handlers
    # redact those); what turnout itself logs must be clean at any level.
    ours = [r.getMessage() for r in caplog.records if r.name.startswith("turnout.http")]
    assert ours
    assert not [line for line in ours if token in line]
    assert "***" in str(caught.value)


def test_one_debug_line_per_call(
    connector: APIConnector, http_server: EmulatorServer, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG, logger="turnout.http")
    connector.get_request("echo", params={"n": 1})
    connector.post_request("echo", json={})
    lines = [r for r in caplog.records if r.name == "turnout.http.connector"]
    assert [r.levelno for r in lines] == [logging.DEBUG, logging.DEBUG]
    assert lines[0].getMessage().startswith(f"GET {http_server.url}/echo?n=1 -> 200 in ")
    assert lines[1].getMessage().startswith(f"POST {http_server.url}/echo -> 200 in ")


def test_a_body_that_is_not_json_raises_response_format_error_after_retries(
    connector: APIConnector, http_server: EmulatorServer
) -> None:
    with pytest.raises(ResponseFormatError) as caught:
        connector.get_request("html")
    assert f"GET {http_server.url}/html returned HTTP 200" in str(caught.value)
    assert "not valid JSON" in str(caught.value)
    assert len(http_server.app.requests_to("/html")) == FAST_RETRY.attempts


def test_http_errors_are_one_tree() -> None:
    assert issubclass(NotFoundError, HTTPError)
    assert issubclass(HTTPError, requests.exceptions.HTTPError)
