// A real OpenID Provider for the federal log-in tests: panva's certified oidc-provider, with a
// log-in form standing in for the federal authentication service's (eID, itsme).
//
// Configured by one JSON document in OIDC_TEST_CONFIG:
//   {"port": 9000,
//    "clients": [{"client_id": …, "client_secret": …, "redirect_uris": […],
//                 "post_logout_redirect_uris": […]}],
//    "users": {"<login>": {"password": …, "acr": …, "claims": {"email": …, …}}}}
// It prints "ready <issuer>" on stdout once it listens. /forged-jwks serves a key set the
// provider never signed with (same key id): a relying party that trusts it must refuse tokens.

import { createServer } from 'node:http';
import { generateKeyPairSync, randomBytes } from 'node:crypto';

import Provider from 'oidc-provider';

const config = JSON.parse(process.env.OIDC_TEST_CONFIG);
const issuer = `http://127.0.0.1:${config.port}`;

function signingKey(kid) {
  const { privateKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
  return { ...privateKey.export({ format: 'jwk' }), kid, alg: 'RS256', use: 'sig' };
}

const key = signingKey('federal-test-key');
const forged = signingKey('federal-test-key');
const publicPart = ({ kty, n, e, kid, alg, use }) => ({ kty, n, e, kid, alg, use });

const acrValues = [...new Set(Object.values(config.users).map((user) => user.acr).filter(Boolean))];

const provider = new Provider(issuer, {
  clients: config.clients.map((client) => ({
    grant_types: ['authorization_code'],
    response_types: ['code'],
    token_endpoint_auth_method: 'client_secret_basic',
    ...client,
  })),
  jwks: { keys: [key] },
  cookies: { keys: [randomBytes(32).toString('hex')] },
  acrValues,
  claims: {
    openid: ['sub'],
    email: ['email', 'email_verified'],
    profile: ['given_name', 'family_name', 'name', 'locale'],
  },
  pkce: { required: () => true },
  features: {
    devInteractions: { enabled: false },
    rpInitiatedLogout: { enabled: true },
  },
  async findAccount(ctx, accountId) {
    const user = config.users[accountId];
    if (!user) return undefined;
    return { accountId, claims: async () => ({ sub: accountId, ...user.claims }) };
  },
  interactions: { url: (ctx, interaction) => `/interaction/${interaction.uid}` },
  ttl: {
    AccessToken: 600,
    AuthorizationCode: 60,
    IdToken: 600,
    Interaction: 600,
    Session: 3600,
    Grant: 3600,
  },
});

const escape = (text) => String(text).replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);

function loginPage(uid, message = '') {
  return `<!DOCTYPE html><html lang="en"><head><meta charset="utf-8"><title>Federal log-in (test)</title></head>
<body><h1>Federal authentication (test provider)</h1>${message ? `<p role="alert">${escape(message)}</p>` : ''}
<form method="post" action="/interaction/${escape(uid)}/login">
<label>Login <input name="login" autocomplete="username"></label>
<label>Password <input name="password" type="password"></label>
<button type="submit">Log in</button></form></body></html>`;
}

async function readForm(req) {
  let body = '';
  for await (const chunk of req) body += chunk;
  return Object.fromEntries(new URLSearchParams(body));
}

// Every scope and claim the client asked for is granted: the federal service shows no consent
// screen to the citizen for a registered client.
async function grantFor(details, accountId) {
  const grant = details.grantId
    ? await provider.Grant.find(details.grantId)
    : new provider.Grant({ accountId, clientId: details.params.client_id });
  grant.addOIDCScope(details.params.scope);
  return grant.save();
}

async function interaction(req, res, uid, action) {
  const details = await provider.interactionDetails(req, res);
  if (details.uid !== uid) throw new Error('interaction mismatch');
  if (details.prompt.name === 'consent') {
    const grantId = await grantFor(details, details.session.accountId);
    return provider.interactionFinished(req, res, { consent: { grantId } }, { mergeWithLastSubmission: true });
  }
  if (action !== 'login') {
    res.writeHead(200, { 'content-type': 'text/html; charset=utf-8' });
    return res.end(loginPage(uid));
  }
  const form = await readForm(req);
  const user = config.users[form.login];
  if (!user || user.password !== form.password) {
    res.writeHead(200, { 'content-type': 'text/html; charset=utf-8' });
    return res.end(loginPage(uid, 'Unknown login or wrong password.'));
  }
  const grantId = await grantFor(details, form.login);
  return provider.interactionFinished(
    req,
    res,
    {
      login: { accountId: form.login, acr: user.acr, amr: user.amr || ['pwd'] },
      consent: { grantId },
    },
    { mergeWithLastSubmission: false },
  );
}

const handle = provider.callback();
const server = createServer(async (req, res) => {
  const url = new URL(req.url, issuer);
  const match = url.pathname.match(/^\/interaction\/([^/]+)(?:\/(login))?$/);
  try {
    if (url.pathname === '/forged-jwks') {
      res.writeHead(200, { 'content-type': 'application/json' });
      return res.end(JSON.stringify({ keys: [publicPart(forged)] }));
    }
    if (match) return await interaction(req, res, match[1], req.method === 'POST' ? match[2] : undefined);
    return handle(req, res);
  } catch (error) {
    res.writeHead(500, { 'content-type': 'text/plain' });
    return res.end(String(error));
  }
});
server.listen(config.port, '127.0.0.1', () => console.log(`ready ${issuer}`));
