"""A file's conversation (docs/domain.md, The conversation of a file): the messages are
ApplicantMessage rows (files.py); here, what each person has read, and the documents a message
carries."""

from django.conf import settings
from django.db import models
from django.urls import reverse

from adn_portal.lib.uploads import private_storage

from .files import ApplicantMessage, Application


class ConversationRead(models.Model):
    """How far one person has read one file's conversation: the last message id they saw.
    Unread = the other sides' messages after it (applications/conversation.py)."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="conversations_read"
    )
    application = models.ForeignKey(
        Application, on_delete=models.CASCADE, related_name="conversations_read"
    )
    last_read = models.PositiveBigIntegerField(default=0)
    read_at = models.DateTimeField(auto_now=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["user", "application"], name="conversation_read_unique")
        ]

    def __str__(self) -> str:
        return f"{self.user_id} · {self.application_id} ≤ {self.last_read}"


class MessageAttachment(models.Model):
    """A document sent with a message: checked by content like the file's documents
    (adn_portal/lib/uploads.py), kept in private storage, served by the conversation's views."""

    message = models.ForeignKey(
        ApplicantMessage, on_delete=models.PROTECT, related_name="attachments"
    )
    file = models.FileField(storage=private_storage)
    original_name = models.CharField(max_length=200)
    content_type = models.CharField(max_length=100)
    size = models.PositiveIntegerField()
    sha256 = models.CharField(max_length=64)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    uploaded_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["pk"]

    def __str__(self) -> str:
        return self.original_name

    def url_for(self, side: str) -> str:
        """Where this side downloads it (each through its own access check)."""
        names = {
            "applicant": "applications:message_attachment",
            "adn": "applications:staff_message_attachment",
            "expert": "applications:expert_message_attachment",
        }
        return reverse(names[side], args=[self.message.application_id, self.pk])
