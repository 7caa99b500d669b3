"""The S3 storage of documents, logos and exports when a bucket is configured
(adn_portal.lib.env.file_storages). Its own module: boto3 is imported only where it is used."""

from storages.backends.s3 import S3Storage


class NoObjectURL(AttributeError):
    """Raised instead of a bucket address: files are served by the portal's views. An
    AttributeError, as if stored files had no `url`: a template renders nothing, and a form's
    file widget (which asks `getattr(file, "url", False)`) shows no link rather than failing."""

    silent_variable_failure = True  # `{{ file.url }}` renders nothing


class PrivateS3Storage(S3Storage):
    """django-storages' S3 backend on a private bucket, which never gives out an address to an
    object, neither a public one nor a signed one (querystring auth): a link could be passed
    on and would bypass the views that check who asks and log the download."""

    def url(self, name, parameters=None, expire=None, http_method=None):
        raise NoObjectURL(f"{name}: stored files are served by the portal's views, not by URL.")
