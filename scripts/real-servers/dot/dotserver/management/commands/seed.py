"""Creates the test user and OAuth clients. Safe to run twice (updates in place)."""
from django.contrib.auth import get_user_model
from django.core.management import call_command
from django.core.management.base import BaseCommand
from oauth2_provider.models import get_application_model

LOOPBACK_REDIRECTS = " ".join(
    [
        # Any port is accepted at request time for these (RFC 8252 section 7.3);
        # the path must match exactly.
        "http://127.0.0.1/callback",
        "http://[::1]/callback",
        "http://localhost/callback",
    ]
)


class Command(BaseCommand):
    help = "Seed alice and the tokenvault / tokenvault-consent / reporting clients."

    def add_arguments(self, parser):
        parser.add_argument(
            "--migrate", action="store_true", help="run migrate first (one process, faster)"
        )

    def handle(self, *args, **options):
        if options["migrate"]:
            call_command("migrate", interactive=False, verbosity=0)
        User = get_user_model()
        Application = get_application_model()

        alice, _ = User.objects.get_or_create(username="alice")
        alice.set_password("alice-password")
        alice.save()

        clients = [
            # Public native-app client: authorization code + PKCE, no consent page.
            dict(
                client_id="tokenvault",
                name="Tokenvault",
                client_type=Application.CLIENT_PUBLIC,
                authorization_grant_type=Application.GRANT_AUTHORIZATION_CODE,
                redirect_uris=LOOPBACK_REDIRECTS,
                skip_authorization=True,
            ),
            # Same, but the user sees the Authorize / Cancel page (to test a refusal).
            dict(
                client_id="tokenvault-consent",
                name="Tokenvault (consent)",
                client_type=Application.CLIENT_PUBLIC,
                authorization_grant_type=Application.GRANT_AUTHORIZATION_CODE,
                redirect_uris=LOOPBACK_REDIRECTS,
                skip_authorization=False,
            ),
            # Confidential machine client: client credentials; may also introspect.
            dict(
                client_id="reporting",
                name="Reporting",
                client_type=Application.CLIENT_CONFIDENTIAL,
                authorization_grant_type=Application.GRANT_CLIENT_CREDENTIALS,
                redirect_uris="",
                skip_authorization=True,
                client_secret="reporting-secret",  # hashed on save
            ),
        ]
        # Public clients keep the random secret DOT generates. Setting it to "" would let
        # anyone authenticate as them with an empty secret (DOT hashes "" and the check
        # then passes), e.g. at /o/introspect/ with only client_id=tokenvault.
        for fields in clients:
            client_id = fields.pop("client_id")
            app = Application.objects.filter(client_id=client_id).first() or Application(
                client_id=client_id
            )
            for key, value in fields.items():
                setattr(app, key, value)
            app.save()
        self.stdout.write("seeded alice, tokenvault, tokenvault-consent, reporting")
