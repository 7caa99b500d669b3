"""Stored files: where they live and how long.

Documents, logos and exports live in the storages named by settings.STORAGES ("private" and
"default"): this machine's disk, or one S3-compatible bucket that every web and worker node
shares (adn_portal.lib.env.file_storages, adn_portal.lib.s3). People reach them only through
the portal's views, which check who asks and stream the file: no URL to an object is made.

A file goes once the transaction that deleted or replaced its row commits (a rollback keeps
it): `delete_with_rows` for a field whose file belongs to one row, whatever deletes the row (a
service, a cascade, the admin), `delete_on_commit` where a service drops a file itself."""

import logging
from collections.abc import Callable
from functools import partial

from django.db import transaction
from django.db.models.signals import post_delete

logger = logging.getLogger(__name__)


def delete_on_commit(storage, name: str, *, unless: Callable[[], bool] | None = None) -> None:
    """Delete `name` from `storage` once the current transaction commits (at once outside
    one), unless `unless()` says, then, that a row still uses it. A storage error is logged:
    the change it follows is committed and stands (the file is left behind)."""
    if name:
        transaction.on_commit(partial(_delete, storage, name, unless), robust=True)


def _delete(storage, name: str, unless: Callable[[], bool] | None) -> None:
    if unless is not None and unless():
        return
    storage.delete(name)
    logger.debug("Stored file %s deleted", name)


def delete_with_rows(model, *field_names: str) -> None:
    """The files of these fields go with their row. Call it from the app's ready()."""
    for name in field_names:
        model._meta.get_field(name)  # FieldDoesNotExist at start-up for a misspelt name
    post_delete.connect(
        partial(_row_deleted, field_names=field_names),
        sender=model,
        weak=False,
        dispatch_uid=f"stored-files-{model._meta.label}",
    )
    FOLLOWED.update((model._meta.label, name) for name in field_names)


def _row_deleted(sender, instance, field_names, **kwargs) -> None:
    for name in field_names:
        file = getattr(instance, name)
        if file:
            delete_on_commit(file.storage, file.name)


# (model label, field name) of the fields registered with delete_with_rows; tests compare it
# with every FileField so that a new one cannot be forgotten.
FOLLOWED: set[tuple[str, str]] = set()
