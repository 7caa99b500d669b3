"""Where documents, logos and exports live: this disk by default, an S3-compatible bucket when
one is named; half a configuration stops the boot (files would land on one node's disk)."""

from pathlib import Path

import pytest
from django.core.exceptions import ImproperlyConfigured

from adn_portal.lib.env import file_storages

from .test_environment_settings import PRODUCTION_ENV, boot

MEDIA = Path("/srv/media")
BUCKET = {"bucket": "adn-portal", "access_key": "minio", "secret_key": "minio-secret-key"}


def test_without_a_bucket_files_stay_on_this_disk_the_private_ones_under_no_url():
    storages = file_storages(media_root=MEDIA, bucket="")
    assert storages["default"] == {"BACKEND": "django.core.files.storage.FileSystemStorage"}
    assert storages["private"]["BACKEND"] == "django.core.files.storage.FileSystemStorage"
    assert storages["private"]["OPTIONS"] == {"location": MEDIA / "private", "base_url": None}


def test_a_bucket_holds_both_aliases_laid_out_as_on_disk_and_never_hands_out_an_address():
    storages = file_storages(media_root=MEDIA, endpoint_url="http://minio:9000", **BUCKET)
    for alias in ("default", "private"):
        assert storages[alias]["BACKEND"] == "adn_portal.lib.s3.PrivateS3Storage"
    options = storages["private"]["OPTIONS"]
    assert options["location"] == "private"
    assert "location" not in storages["default"]["OPTIONS"]
    assert options["bucket_name"] == "adn-portal"
    assert options["endpoint_url"] == "http://minio:9000"
    assert options["addressing_style"] == "path"  # one address for every bucket (MinIO)
    assert options["default_acl"] is None  # the bucket's own: private
    assert options["file_overwrite"] is False
    assert (options["access_key"], options["secret_key"]) == ("minio", "minio-secret-key")


def test_a_bucket_on_aws_uses_its_region_and_the_machines_own_credentials():
    options = file_storages(media_root=MEDIA, bucket="adn-portal", region="eu-west-3")["private"][
        "OPTIONS"
    ]
    assert options["region_name"] == "eu-west-3"
    assert options["access_key"] is None and options["secret_key"] is None
    assert "endpoint_url" not in options


@pytest.mark.parametrize(
    ("given", "named"),
    [
        ({"bucket": "", "endpoint_url": "http://minio:9000"}, "AWS_STORAGE_BUCKET_NAME"),
        ({"bucket": "", "region": "eu-west-3"}, "AWS_STORAGE_BUCKET_NAME"),
        ({"bucket": "ADN_Portal"}, "AWS_STORAGE_BUCKET_NAME"),
        ({"bucket": "ab"}, "AWS_STORAGE_BUCKET_NAME"),
        ({"bucket": "adn-portal", "access_key": "minio"}, "AWS_SECRET_ACCESS_KEY"),
        ({"bucket": "adn-portal", "secret_key": "secret"}, "AWS_ACCESS_KEY_ID"),
        ({"bucket": "adn-portal", "endpoint_url": "minio:9000"}, "AWS_S3_ENDPOINT_URL"),
        ({"bucket": "adn-portal", "endpoint_url": "ftp://minio"}, "AWS_S3_ENDPOINT_URL"),
        ({"bucket": "adn-portal", "endpoint_url": "http://minio/adn"}, "AWS_S3_ENDPOINT_URL"),
    ],
)
def test_half_or_odd_bucket_settings_stop_the_boot(given, named):
    with pytest.raises(ImproperlyConfigured, match=named):
        file_storages(media_root=MEDIA, **given)


def test_production_keeps_its_files_in_the_bucket_named_by_the_environment():
    result = boot(
        "adn_portal.settings.production",
        **PRODUCTION_ENV,
        AWS_STORAGE_BUCKET_NAME="adn-portal",
        AWS_S3_ENDPOINT_URL="http://minio:9000",
        AWS_ACCESS_KEY_ID="minio",
        AWS_SECRET_ACCESS_KEY="minio-secret-key",
    )
    assert result.returncode == 0, result.stderr


def test_production_refuses_an_endpoint_without_a_bucket():
    result = boot(
        "adn_portal.settings.production", **PRODUCTION_ENV, AWS_S3_ENDPOINT_URL="http://minio:9000"
    )
    assert result.returncode != 0
    assert "AWS_STORAGE_BUCKET_NAME" in result.stderr.splitlines()[-1]
