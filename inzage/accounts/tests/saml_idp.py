"""A small SAML 2.0 identity provider for the SSO tests only: pysaml2's `Server` behind a WSGI app on loopback.

It does what a school's IdP does on the wire: takes an AuthnRequest on the HTTP-Redirect binding, shows a login form,
checks the password, and answers with a Response whose assertion (and the response itself) is signed with its key,
sent back through the HTTP-POST binding (an auto-submitting form aimed at the service provider's ACS URL). Nothing of
the protocol is mocked; the users and the one service provider it trusts come from the command line.

    python saml_idp.py --port 8123 --key idp.key --cert idp.pem --users users.json \
        --sp-entity-id http://testserver/accounts/saml/school-idp/metadata/ \
        --sp-acs http://testserver/accounts/saml/school-idp/acs/

`users.json`: `[{"username": ..., "password": ..., "name_id": ..., "mail": ..., "givenName": ..., "sn": ...}]`.
"""

from __future__ import annotations

import argparse
import html
import json
import secrets
import shutil
import sys
import urllib.parse
from typing import Any
from wsgiref.simple_server import WSGIRequestHandler, make_server

from saml2 import BINDING_HTTP_POST, BINDING_HTTP_REDIRECT
from saml2.config import IdPConfig
from saml2.saml import NAME_FORMAT_URI, NAMEID_FORMAT_PERSISTENT, NameID
from saml2.server import Server
from saml2.xmldsig import DIGEST_SHA256, SIG_RSA_SHA256

AUTHN_PASSWORD = "urn:oasis:names:tc:SAML:2.0:ac:classes:PasswordProtectedTransport"


def sp_metadata(*, entity_id: str, acs: str) -> str:
    """The service provider as this IdP knows it: its entity id and where assertions go."""
    return f"""<?xml version="1.0"?>
<md:EntityDescriptor xmlns:md="urn:oasis:names:tc:SAML:2.0:metadata" entityID="{html.escape(entity_id)}">
  <md:SPSSODescriptor protocolSupportEnumeration="urn:oasis:names:tc:SAML:2.0:protocol"
      AuthnRequestsSigned="false" WantAssertionsSigned="true">
    <md:NameIDFormat>{NAMEID_FORMAT_PERSISTENT}</md:NameIDFormat>
    <md:AssertionConsumerService Binding="{BINDING_HTTP_POST}" Location="{html.escape(acs)}" index="0"/>
  </md:SPSSODescriptor>
</md:EntityDescriptor>"""


def build_server(*, base: str, key: str, cert: str, sp_entity_id: str, sp_acs: str) -> Server:
    config = IdPConfig()
    config.load(
        {
            "entityid": f"{base}/metadata",
            "service": {
                "idp": {
                    "name": "School IdP (test)",
                    "endpoints": {"single_sign_on_service": [(f"{base}/sso/redirect", BINDING_HTTP_REDIRECT)]},
                    "policy": {"default": {"lifetime": {"minutes": 15}, "name_form": NAME_FORMAT_URI}},
                    "name_id_format": [NAMEID_FORMAT_PERSISTENT],
                    "want_authn_requests_signed": False,
                    "sign_assertion": True,
                    "sign_response": True,
                }
            },
            "key_file": key,
            "cert_file": cert,
            "metadata": {"inline": [sp_metadata(entity_id=sp_entity_id, acs=sp_acs)]},
            "xmlsec_binary": shutil.which("xmlsec1"),
        }
    )
    return Server(config=config)


def _page(body: str, status: str = "200 OK") -> tuple[str, list[tuple[str, str]], bytes]:
    return status, [("Content-Type", "text/html; charset=utf-8")], body.encode()


class IdentityProvider:
    def __init__(self, *, server: Server, users: list[dict[str, str]]) -> None:
        self.server = server
        self.users = {u["username"]: u for u in users}
        self.pending: dict[str, dict[str, Any]] = {}  # login-form key → the AuthnRequest's response arguments

    def __call__(self, environ: dict[str, Any], start_response: Any) -> list[bytes]:
        status, headers, body = self.route(environ)
        start_response(status, headers)
        return [body]

    def route(self, environ: dict[str, Any]) -> tuple[str, list[tuple[str, str]], bytes]:
        path, method = environ["PATH_INFO"], environ["REQUEST_METHOD"]
        if path == "/metadata":
            from saml2.metadata import create_metadata_string

            xml = create_metadata_string(None, self.server.config, sign=False)
            return "200 OK", [("Content-Type", "text/xml")], xml
        if path == "/sso/redirect" and method == "GET":
            query = urllib.parse.parse_qs(environ.get("QUERY_STRING", ""))
            return self.login_form(query["SAMLRequest"][0], query.get("RelayState", [""])[0])
        if path == "/login" and method == "POST":
            size = int(environ.get("CONTENT_LENGTH") or 0)
            form = urllib.parse.parse_qs(environ["wsgi.input"].read(size).decode())
            return self.sign_in({k: v[0] for k, v in form.items()})
        return _page("<p>Not found</p>", "404 Not Found")

    def login_form(self, saml_request: str, relay_state: str) -> tuple[str, list[tuple[str, str]], bytes]:
        request = self.server.parse_authn_request(saml_request, BINDING_HTTP_REDIRECT)
        args = self.server.response_args(request.message, [BINDING_HTTP_POST])
        key = secrets.token_urlsafe(16)
        self.pending[key] = {"args": args, "relay_state": relay_state}
        return _page(
            '<form method="post" action="/login">'
            f'<input type="hidden" name="key" value="{key}">'
            '<input name="username"><input name="password" type="password">'
            "<button>Log in</button></form>"
        )

    def sign_in(self, form: dict[str, str]) -> tuple[str, list[tuple[str, str]], bytes]:
        pending = self.pending.get(form.get("key", ""))
        user = self.users.get(form.get("username", ""))
        if pending is None or user is None or not secrets.compare_digest(user["password"], form.get("password", "")):
            return _page("<p>Wrong username or password</p>", "401 Unauthorized")
        del self.pending[form["key"]]
        args = pending["args"]
        identity = {k: [user[k]] for k in ("mail", "givenName", "sn") if user.get(k)}
        response = self.server.create_authn_response(
            identity,
            in_response_to=args["in_response_to"],
            destination=args["destination"],
            sp_entity_id=args["sp_entity_id"],
            name_id=NameID(format=NAMEID_FORMAT_PERSISTENT, text=user["name_id"]),
            authn={"class_ref": AUTHN_PASSWORD},
            sign_response=True,
            sign_assertion=True,
            sign_alg=SIG_RSA_SHA256,
            digest_alg=DIGEST_SHA256,
        )
        http = self.server.apply_binding(
            BINDING_HTTP_POST, str(response), args["destination"], pending["relay_state"], response=True
        )
        return _page(http["data"])


class QuietHandler(WSGIRequestHandler):
    def log_message(self, format: str, *args: Any) -> None:
        pass


def main(argv: list[str]) -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--port", type=int, required=True)
    parser.add_argument("--key", required=True)
    parser.add_argument("--cert", required=True)
    parser.add_argument("--users", required=True)
    parser.add_argument("--sp-entity-id", required=True)
    parser.add_argument("--sp-acs", required=True)
    opts = parser.parse_args(argv)
    base = f"http://127.0.0.1:{opts.port}"
    server = build_server(base=base, key=opts.key, cert=opts.cert, sp_entity_id=opts.sp_entity_id, sp_acs=opts.sp_acs)
    with open(opts.users) as f:
        users = json.load(f)
    app = IdentityProvider(server=server, users=users)
    make_server("127.0.0.1", opts.port, app, handler_class=QuietHandler).serve_forever()


if __name__ == "__main__":
    main(sys.argv[1:])
