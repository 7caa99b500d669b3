from django.contrib import admin
from django.utils.translation import gettext_lazy as _

from .models import OutgoingEmail

CONTENT = ("body", "html")


@admin.register(OutgoingEmail)
class OutgoingEmailAdmin(admin.ModelAdmin):
    list_display = [
        "subject",
        "to",
        "created_at",
        "sent_at",
        "attempts",
        "sensitive",
        "delivery_uncertain",
    ]
    # "Delivery uncertain": claimed by a worker that died during the SMTP exchange; never
    # sent again automatically (services.email_send), for staff to check with the recipient.
    list_filter = [("sent_at", admin.EmptyFieldListFilter), "sensitive", "delivery_uncertain"]
    search_fields = ["to", "subject"]
    exclude = CONTENT  # shown through text_body and html_body below
    readonly_fields = [
        *(f.name for f in OutgoingEmail._meta.fields if f.name not in CONTENT),
        "text_body",
        "html_body",
    ]

    def has_add_permission(self, request) -> bool:
        return False

    @staticmethod
    def _shown(email: OutgoingEmail, content: str) -> str:
        # A message with a secret link is never shown, not even before it is sent.
        if email.sensitive:
            return str(_("Hidden: this message holds a secret link."))
        return content

    @admin.display(description=_("text body"))
    def text_body(self, email: OutgoingEmail) -> str:
        return self._shown(email, email.body)

    @admin.display(description=_("HTML body"))
    def html_body(self, email: OutgoingEmail) -> str:
        return self._shown(email, email.html)
