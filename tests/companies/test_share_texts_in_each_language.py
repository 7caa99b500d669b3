"""The SME definition's thresholds are written the reader's way in labels and errors: "25%" in
English, "25 %" in French and German (the English texts used to carry the French spacing)."""

import pytest
from django.utils import translation

from companies.forms.owner import RelatedEnterpriseForm
from companies.models import EnterpriseRelation, SizeClass


@pytest.mark.parametrize(
    ("language", "partner", "public_control"),
    [
        ("en", "Partner enterprise (25% to 50%)", "Not an SME (public bodies hold at least 25%)"),
        (
            "fr",
            "Entreprise partenaire (de 25 % à 50 %)",
            "Pas une PME (détenue à 25 % au moins par des organismes publics)",
        ),
        (
            "de",
            "Partnerunternehmen (25 % bis 50 %)",
            "Kein KMU (zu mindestens 25 % in öffentlicher Hand)",
        ),
    ],
)
def test_the_choice_labels_write_the_thresholds_the_readers_way(language, partner, public_control):
    with translation.override(language):
        assert str(EnterpriseRelation.PARTNER.label) == partner
        assert str(SizeClass.PUBLIC_CONTROL.label) == public_control


@pytest.mark.parametrize(
    ("language", "error"),
    [
        (
            "en",
            "Below 25%, the enterprise does not count for the SME definition: remove it from "
            "the list.",
        ),
        (
            "fr",
            "En dessous de 25 %, l'entreprise ne compte pas pour la définition des PME : "
            "retirez-la de la liste.",
        ),
        (
            "de",
            "Unter 25 % zählt das Unternehmen für die KMU-Definition nicht: Entfernen Sie es aus "
            "der Liste.",
        ),
    ],
)
def test_a_share_below_a_partners_is_refused_with_the_threshold_written_the_readers_way(
    language, error
):
    with translation.override(language):
        form = RelatedEnterpriseForm(
            data={
                "name": "Petite Part SA",
                "foreign": "on",
                "relation": EnterpriseRelation.PARTNER,
                "share": "20",
                "headcount": "3",
                "turnover": "100000",
            }
        )

        assert not form.is_valid()
        assert form.errors["share"] == [error]
