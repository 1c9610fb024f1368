"""School SSO over SAML 2.0 against a real identity provider process: pysaml2's IdP (`saml_idp.py` beside this file)
on loopback, signing with its own key through xmlsec1. The browser's part is played by hand: Inzage redirects to the
IdP with an AuthnRequest, the test fills in the IdP's login form over HTTP, and posts the IdP's signed response to
Inzage's assertion consumer service exactly as the IdP's auto-submitting form would. Inzage's side (allauth's SAML
provider on python3-saml) checks the signature against the certificate in the school's SocialApp row."""

from __future__ import annotations

import base64
import datetime as dt
import html.parser
import json
import shutil
import socket
import subprocess
import sys
import time
import urllib.parse
import urllib.request
from pathlib import Path

import pytest
import requests
from allauth.socialaccount.models import SocialAccount, SocialApp
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from cryptography.x509.oid import NameOID
from django.test import Client
from django.urls import reverse

pytestmark = pytest.mark.django_db

ORG = "school-idp"
SP_ENTITY_ID = f"http://localhost/accounts/saml/{ORG}/metadata/"
SP_ACS = f"http://localhost/accounts/saml/{ORG}/acs/"
STAFF_EMAIL = "m.mentor@persona-college.nl"
OTHER_EMAIL = "d.docent@persona-college.nl"
IDP_USERS = [
    {"username": "mmentor", "password": "idp-geheim", "name_id": "mentor-1", "mail": STAFF_EMAIL, "sn": "Mentor"},
    {"username": "ddocent", "password": "idp-geheim", "name_id": "docent-7", "mail": "ander@elders.nl"},
    {"username": "vreemd", "password": "idp-geheim", "name_id": "vreemde-1", "mail": "iemand@elders.nl"},
]


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _key_and_cert(directory: Path, name: str) -> tuple[Path, Path, str]:
    """A fresh RSA key and self-signed certificate; the certificate's base64 body as a SocialApp row holds it."""
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    subject = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, name)])
    now = dt.datetime.now(dt.UTC)
    cert = (
        x509.CertificateBuilder()
        .subject_name(subject)
        .issuer_name(subject)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - dt.timedelta(days=1))
        .not_valid_after(now + dt.timedelta(days=30))
        .sign(key, hashes.SHA256())
    )
    key_path, cert_path = directory / f"{name}.key", directory / f"{name}.pem"
    key_path.write_bytes(
        key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption())
    )
    cert_path.write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    body = base64.b64encode(cert.public_bytes(serialization.Encoding.DER)).decode()
    return key_path, cert_path, body


@pytest.fixture(scope="module")
def idp(tmp_path_factory):
    """The IdP process; yields its base URL and the base64 certificate it signs with."""
    if shutil.which("xmlsec1") is None:
        pytest.fail("pysaml2's identity provider signs with xmlsec1: install it with `make saml-libs`")
    directory = tmp_path_factory.mktemp("saml-idp")
    key, cert, cert_body = _key_and_cert(directory, "idp")
    users = directory / "users.json"
    users.write_text(json.dumps(IDP_USERS))
    port = _free_port()
    script = Path(__file__).with_name("saml_idp.py")
    args = [sys.executable, str(script), "--port", str(port), "--key", str(key), "--cert", str(cert)]
    args += ["--users", str(users), "--sp-entity-id", SP_ENTITY_ID, "--sp-acs", SP_ACS]
    log = directory / "idp.log"
    with log.open("w") as out:
        proc = subprocess.Popen(args, stdout=out, stderr=subprocess.STDOUT)
    base = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 20
    while time.monotonic() < deadline:
        try:
            urllib.request.urlopen(f"{base}/metadata", timeout=1).read()
            break
        except OSError:
            if proc.poll() is not None:
                break
            time.sleep(0.2)
    else:
        proc.kill()
        pytest.fail(f"the SAML identity provider did not start: {log.read_text()[-2000:]}")
    if proc.poll() is not None:
        pytest.fail(f"the SAML identity provider stopped: {log.read_text()[-2000:]}")
    yield {"base": base, "cert": cert_body, "dir": directory}
    proc.terminate()
    proc.wait(timeout=10)


SIGNED = {"want_assertion_signed": True, "want_message_signed": True}


def _app(idp, *, mfa: bool, cert: str | None = None, advanced: dict | None = None) -> SocialApp:
    """The school's SocialApp row, as an administrator would fill it in (docs/identity.md)."""
    return SocialApp.objects.create(
        provider="saml",
        provider_id=ORG,
        name="Schoolaccount (SAML)",
        client_id=ORG,
        settings={
            "idp": {
                "entity_id": f"{idp['base']}/metadata",
                "sso_url": f"{idp['base']}/sso/redirect",
                "x509cert": cert or idp["cert"],
            },
            "attribute_mapping": {"email": "urn:oid:0.9.2342.19200300.100.1.3", "last_name": "urn:oid:2.5.4.4"},
            "advanced": SIGNED if advanced is None else advanced,
            "inzage_mfa": mfa,
            "inzage_link_by_email": True,
        },
    )


class _Forms(html.parser.HTMLParser):
    """The forms of a page: action and fields (hidden and named inputs)."""

    def __init__(self) -> None:
        super().__init__()
        self.forms: list[dict] = []

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if tag == "form":
            self.forms.append({"action": a.get("action", ""), "fields": {}})
        elif tag == "input" and self.forms and a.get("name"):
            self.forms[-1]["fields"][a["name"]] = a.get("value") or ""


def _form(page: str) -> dict:
    parser = _Forms()
    parser.feed(page)
    assert parser.forms, page[:500]
    return parser.forms[0]


def _idp_response(client: Client, username: str, password: str = "idp-geheim") -> dict[str, str]:
    """Start at Inzage, sign in at the IdP's form; the fields of the IdP's auto-submitting form back to Inzage."""
    start = client.post(f"/accounts/saml/{ORG}/login/")
    assert start.status_code == 302, start.content[:300]
    sso = start["Location"]
    assert sso.startswith("http://127.0.0.1:") and "SAMLRequest=" in sso
    login_page = requests.get(sso, timeout=10)
    assert login_page.status_code == 200, login_page.text[:500]
    form = _form(login_page.text)
    form["fields"].update({"username": username, "password": password})
    action = urllib.parse.urljoin(sso, form["action"])
    posted = requests.post(action, data=form["fields"], timeout=10)
    assert posted.status_code == 200, posted.text[:500]
    back = _form(posted.text)
    assert back["action"] == SP_ACS
    assert "SAMLResponse" in back["fields"]
    return back["fields"]


def _post_to_acs(client: Client, fields: dict[str, str]):
    """What the browser does with the IdP's form: POST to the ACS, then follow Inzage's redirect to finish."""
    acs = client.post(urllib.parse.urlsplit(SP_ACS).path, fields)
    assert acs.status_code == 302, acs.content[:300]
    return client.get(acs["Location"])


def _sso(client: Client, username: str):
    return _post_to_acs(client, _idp_response(client, username))


@pytest.fixture
def mentor(personas):
    user = personas.user("mentor")
    user.email = STAFF_EMAIL
    user.save()
    return user


def _browser() -> Client:
    """A client that sends a Host header, as every browser does (python3-saml builds its URLs from it)."""
    return Client(HTTP_HOST="localhost")


def _signed_in(client: Client) -> str | None:
    return client.session.get("_auth_user_id")


def test_the_login_page_offers_the_school_provider(idp):
    _app(idp, mfa=True)
    assert "Inloggen met Schoolaccount (SAML)" in _browser().get("/accounts/login/").content.decode()


def test_the_metadata_for_the_school_idp_names_the_acs(idp):
    """What the school's IdP administrator registers: Inzage's entity id and assertion consumer service."""
    _app(idp, mfa=True)
    response = _browser().get(urllib.parse.urlsplit(SP_ENTITY_ID).path)
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/xml")
    xml = response.content.decode()
    assert f'entityID="{SP_ENTITY_ID}"' in xml
    assert f'Location="{SP_ACS}"' in xml


def test_an_account_linked_by_email_signs_in_through_the_idp(idp, mentor):
    _app(idp, mfa=True)
    client = _browser()
    response = _sso(client, "mmentor")
    assert response.status_code == 302, response.content[:500]
    assert response["Location"] == reverse("web:home")
    assert _signed_in(client) == str(mentor.pk)
    linked = SocialAccount.objects.get(user=mentor)
    assert (linked.provider, linked.uid) == (ORG, "mentor-1")
    # The second time the NameID alone finds the account.
    mentor.email = "nieuw@persona-college.nl"
    mentor.save()
    again = _browser()
    _sso(again, "mmentor")
    assert _signed_in(again) == str(mentor.pk)


def test_an_account_linked_by_name_id_signs_in_whatever_its_email(idp, personas):
    teacher = personas.user("teacher")
    teacher.email = OTHER_EMAIL
    teacher.save()
    app = _app(idp, mfa=True)
    SocialAccount.objects.create(user=teacher, provider=app.provider_id, uid="docent-7")
    client = _browser()
    _sso(client, "ddocent")
    assert _signed_in(client) == str(teacher.pk)


def test_an_unknown_name_id_gets_a_dutch_refusal_and_no_account(idp, personas):
    from inzage.accounts.models import User

    _app(idp, mfa=True)
    before = User.objects.count()
    client = _browser()
    response = _sso(client, "vreemd")
    assert response.status_code == 403
    page = response.content.decode()
    assert "Dit schoolaccount is niet gekoppeld aan een account in Inzage" in page
    assert _signed_in(client) is None
    assert User.objects.count() == before
    assert not SocialAccount.objects.exists()


def test_staff_through_a_provider_marked_as_doing_mfa_reach_student_data(idp, personas, mentor, settings):
    settings.INZAGE_STAFF_MFA_REQUIRED = True
    _app(idp, mfa=True)
    client = _browser()
    _sso(client, "mmentor")
    assert _signed_in(client) == str(mentor.pk)
    page = client.get(reverse("staff:student", kwargs={"student_id": personas.student.pk}))
    assert page.status_code == 200


def test_sso_through_an_unmarked_provider_does_not_skip_the_second_factor(idp, personas, mentor, settings):
    settings.INZAGE_STAFF_MFA_REQUIRED = True
    _app(idp, mfa=False)
    client = _browser()
    _sso(client, "mmentor")
    assert _signed_in(client) == str(mentor.pk)
    page = client.get(reverse("staff:student", kwargs={"student_id": personas.student.pk}))
    assert page.status_code == 302
    assert page["Location"] == reverse("accounts:second_factor_required")


def _xml(fields: dict[str, str]) -> str:
    return base64.b64decode(fields["SAMLResponse"]).decode()


def _with_xml(fields: dict[str, str], xml: str) -> dict[str, str]:
    return {**fields, "SAMLResponse": base64.b64encode(xml.encode()).decode()}


def _assert_refused(client: Client, response) -> None:
    assert _signed_in(client) is None
    assert response.status_code == 401
    page = response.content.decode()
    assert "Inloggen via je school is niet gelukt" in page
    assert "kon niet worden gecontroleerd" in page


def test_a_tampered_assertion_is_refused(idp, personas, mentor):
    """The IdP signed the mentor's NameID and address; a response changed to another NameID must not sign anyone in,
    even one the school linked to that NameID."""
    app = _app(idp, mfa=True)
    other = personas.user("admin")
    SocialAccount.objects.create(user=other, provider=app.provider_id, uid="beheerder-1")
    client = _browser()
    fields = _idp_response(client, "mmentor")
    xml = _xml(fields)
    assert xml.count(">mentor-1<") == 1
    response = _post_to_acs(client, _with_xml(fields, xml.replace(">mentor-1<", ">beheerder-1<")))
    _assert_refused(client, response)
    # The untouched response still works: the refusal above was the signature, not the flow.
    _post_to_acs(client, fields)
    assert _signed_in(client) == str(mentor.pk)


@pytest.mark.parametrize("advanced", [SIGNED, {}], ids=["signatures-demanded", "allauth-defaults"])
def test_a_response_with_its_signatures_removed_is_refused(idp, mentor, advanced):
    """Refused whether or not the row demands signatures: python3-saml accepts no response without one."""
    import re

    _app(idp, mfa=True, advanced=advanced)
    client = _browser()
    fields = _idp_response(client, "mmentor")
    unsigned = re.sub(r"<(\w+):Signature\b.*?</\1:Signature>", "", _xml(fields), flags=re.S)
    assert "Signature" not in unsigned
    _assert_refused(client, _post_to_acs(client, _with_xml(fields, unsigned)))


def test_a_response_signed_with_another_key_is_refused(idp, mentor):
    """The school's row holds the IdP's certificate: a response signed by anyone else is refused."""
    _, _, stranger = _key_and_cert(idp["dir"], "stranger")
    _app(idp, mfa=True, cert=stranger)
    client = _browser()
    _assert_refused(client, _sso(client, "mmentor"))
