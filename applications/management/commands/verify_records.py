from django.core.management.base import BaseCommand, CommandError

from adn_portal.accounts.models import RecordCheck
from applications.records import records_verify


class Command(BaseCommand):
    help = (
        "Verify the audit log's and every file's timeline's chain of seals; report the first "
        "broken link of each broken chain (docs/domain.md, A record nobody can rewrite silently)."
    )

    def handle(self, *args, **options):
        check = records_verify(trigger=RecordCheck.Trigger.COMMAND)
        for entry in check.break_rows:
            self.stdout.write(
                f"{entry['chain']}: event {entry['event'] or '-'} at position "
                f"{entry['seq'] or '-'}: {entry['reason_label']}"
            )
        if not check.intact:
            raise CommandError(f"{len(check.breaks)} broken chain(s) among {check.chains}.")
        self.stdout.write(
            f"Intact: {check.events} events in {check.chains} chains; the audit log ends at "
            f"{check.audit_seq or 0} {check.audit_link or '-'}."
        )
