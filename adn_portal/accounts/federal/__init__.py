"""Log-in with the federal authentication service (FAS/CSAM: eID, itsme), an OpenID Provider.

allauth's OpenID Connect provider, with this package's class in its place (the documented
`provider_class` setting) so as to hold the portal to the protocol's checks that allauth leaves
optional: PKCE always, a nonce sent and checked, the ID token's signature always checked, and
log-out at the provider too (RP-initiated logout). Settings: adn_portal/lib/openid.py."""
