"""Smoke test of a running server (`make run`): the start page, the stylesheet, and a sign-in with each demo account.

Usage: python .ci/smoke_login.py [BASE_URL]   (default http://127.0.0.1:8000). Standard library only.
"""

from __future__ import annotations

import hashlib
import hmac
import http.cookiejar
import re
import struct
import sys
import time
import urllib.parse
import urllib.request

USERNAMES = ["admin", "mentor", "docent", "leerling", "ouder", "ouder2", "ouder-zonder-gezag", "leerling16",
             "leerling18", "zorg", "coordinator", "verzuim"]  # fmt: skip
PASSWORD = "inzage-demo"


def demo_totp_code(username: str) -> str:
    """Today's TOTP code of a demo staff account (the secret as in inzage/accounts/demo.py: demo_totp_secret)."""
    secret = hashlib.sha256(f"inzage-demo-totp:{username}".encode()).digest()[:20]
    digest = hmac.new(secret, struct.pack(">Q", int(time.time()) // 30), hashlib.sha1).digest()
    offset = digest[-1] & 0x0F
    return f"{(struct.unpack('>I', digest[offset : offset + 4])[0] & 0x7FFFFFFF) % 1_000_000:06d}"


def main(base: str) -> int:
    failures = 0
    plain = urllib.request.build_opener()
    home = plain.open(f"{base}/").read().decode()
    css_path = re.search(r'href="(/static/[^"]+\.css)"', home)
    assert css_path, "no stylesheet link on the start page"
    css = plain.open(f"{base}{css_path.group(1)}")
    print(f"start page ok; {css_path.group(1)}: {css.status} {css.headers.get('Content-Type')}")
    for username in USERNAMES:
        jar = http.cookiejar.CookieJar()
        opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(jar))
        page = opener.open(f"{base}/accounts/login/").read().decode()
        token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page)
        assert token, "no CSRF token on the login page"
        data = urllib.parse.urlencode(
            {"csrfmiddlewaretoken": token.group(1), "login": username, "password": PASSWORD}
        ).encode()
        request = urllib.request.Request(f"{base}/accounts/login/", data=data, headers={"Referer": f"{base}/"})
        after = opener.open(request).read().decode()
        if 'name="code"' in after:  # staff: the second step, with the demo account's TOTP code
            token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', after)
            assert token, "no CSRF token on the second-step page"
            data = urllib.parse.urlencode(
                {"csrfmiddlewaretoken": token.group(1), "code": demo_totp_code(username)}
            ).encode()
            request = urllib.request.Request(
                f"{base}/accounts/2fa/authenticate/", data=data, headers={"Referer": f"{base}/"}
            )
            after = opener.open(request).read().decode()
        ok = "Je bent ingelogd als" in after
        failures += not ok
        print(f"{username:<20} {'ingelogd' if ok else 'MISLUKT'}")
    return 1 if failures else 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1] if len(sys.argv) > 1 else "http://127.0.0.1:8000"))
