"""Fill the test provider's database: its users, an RSA signing key (the package's own
`creatersakey` command), the OIDC client registered for the platform under test, and the CAS
service pattern that lets the platform's loopback addresses ask for tickets.

Run as `python -m tests.sso.provider_site.seed` with DJANGO_SETTINGS_MODULE pointing at the
provider's settings; reads {"users": [...], "redirect_uris": [...], "client_id", "client_secret"}
as JSON on standard input."""

from __future__ import annotations

import json
import sys

import django


def main() -> None:
    django.setup()
    from cas_server.models import ReplaceAttributName, ServicePattern
    from django.contrib.auth.models import User
    from django.core.management import call_command
    from oidc_provider.models import Client, ResponseType, RSAKey

    spec = json.load(sys.stdin)
    for person in spec["users"]:
        user = User.objects.create_user(
            person["username"],
            email=person.get("email", ""),
            password=person["password"],
            first_name=person.get("first_name", ""),
            last_name=person.get("last_name", ""),
        )
        user.save()
    if not RSAKey.objects.exists():
        call_command("creatersakey")
    client = Client.objects.create(
        name="智慧校园评估遴选平台（测试）",
        client_type="confidential",
        client_id=spec["client_id"],
        client_secret=spec["client_secret"],
        jwt_alg="RS256",
        require_consent=False,
        reuse_consent=True,
    )
    client.redirect_uris = spec["redirect_uris"]
    client.save()
    client.response_types.add(ResponseType.objects.get(value="code"))
    pattern = ServicePattern.objects.create(
        pos=1, name="campuseval", pattern=r"^https?://(127\.0\.0\.1|localhost)(:\d+)?/.*", single_log_out=False
    )
    for name in ("email", "first_name", "last_name"):
        ReplaceAttributName.objects.create(name=name, replace="", service_pattern=pattern)


if __name__ == "__main__":
    main()
