"""Real OAuth 1.0a clients driven by the integration tests (run with Debian's /usr/bin/python3).

Every command prints JSON lines on stdout. Interactive flows print {"authorize": URL}, read the
callback (a query string or a full URL) from stdin, then print the result. Client errors are
printed as {"error": message, "type": class} with exit status 3.
"""
import json
import sys

import jwt
import mwoauth
import requests
from oauthlib.oauth1 import SIGNATURE_RSA, Client
from requests_oauthlib import OAuth1, OAuth1Session

USERINFO = {'action': 'query', 'meta': 'userinfo', 'format': 'json',
            'uiprop': 'groups|rights|blockinfo|editcount|email|realname|registrationdate'}


def emit(value):
    print(json.dumps(value), flush=True)


def api_url(index_url):
    return index_url.rsplit('/', 1)[0] + '/api.php'


def mwoauth_flow(mw_uri, key, secret, callback):
    """initiate -> (user authorizes) -> complete -> identify -> signed api.php call."""
    consumer = mwoauth.ConsumerToken(key, secret)
    redirect, request_token = mwoauth.initiate(mw_uri, consumer, callback=callback)
    emit({'authorize': redirect})
    response_qs = sys.stdin.readline().strip()
    access = mwoauth.complete(mw_uri, consumer, request_token, response_qs)
    identity = mwoauth.identify(mw_uri, consumer, access)
    auth = OAuth1(key, client_secret=secret, resource_owner_key=access.key, resource_owner_secret=access.secret)
    userinfo = requests.get(api_url(mw_uri), params=USERINFO, auth=auth).json()
    emit({'access': {'key': access.key, 'secret': access.secret}, 'identity': identity, 'userinfo': userinfo})


def mwoauth_initiate(mw_uri, key, secret, callback):
    redirect, request_token = mwoauth.initiate(mw_uri, mwoauth.ConsumerToken(key, secret), callback=callback)
    emit({'authorize': redirect, 'key': request_token.key, 'secret': request_token.secret})


def mwoauth_identify(mw_uri, key, secret, token, token_secret):
    identity = mwoauth.identify(mw_uri, mwoauth.ConsumerToken(key, secret), mwoauth.AccessToken(token, token_secret))
    emit({'identity': identity})


def rsa_flow(index_url, key, secret, private_key_file):
    """requests-oauthlib signing RSA-SHA1 through initiate -> authorize -> token -> identify."""
    with open(private_key_file) as f:
        private_key = f.read()
    session = OAuth1Session(key, signature_method=SIGNATURE_RSA, rsa_key=private_key, callback_uri='oob')
    request_token = session.fetch_request_token(index_url + '?title=Special:OAuth/initiate')
    emit({'authorize': session.authorization_url(index_url + '?title=Special:OAuth/authorize'),
          'request_token': request_token})
    session.parse_authorization_response(sys.stdin.readline().strip())
    access = session.fetch_access_token(index_url + '?title=Special:OAuth/token')
    response = session.post(index_url, params={'title': 'Special:OAuth/identify'})
    identity = jwt.decode(response.content, secret, audience=key, algorithms=['HS256'])
    userinfo = session.get(api_url(index_url), params=USERINFO).json()
    emit({'access': access, 'identity': identity, 'userinfo': userinfo})


def sign(spec_json):
    """Sign one request with oauthlib: {method, url, key, secret, token?, token_secret?, verifier?,
    callback?, nonce?, timestamp?, rsa_key?}; prints {url, headers}."""
    spec = json.loads(spec_json)
    client = Client(spec['key'], client_secret=spec.get('secret'),
                    resource_owner_key=spec.get('token'), resource_owner_secret=spec.get('token_secret'),
                    verifier=spec.get('verifier'), callback_uri=spec.get('callback'),
                    nonce=spec.get('nonce'), timestamp=spec.get('timestamp'),
                    signature_method=SIGNATURE_RSA if spec.get('rsa_key') else 'HMAC-SHA1',
                    rsa_key=spec.get('rsa_key'))
    url, headers, _ = client.sign(spec['url'], http_method=spec['method'])
    emit({'url': url, 'headers': headers})


COMMANDS = {'mwoauth-flow': mwoauth_flow, 'mwoauth-initiate': mwoauth_initiate,
            'mwoauth-identify': mwoauth_identify, 'rsa-flow': rsa_flow, 'sign': sign}

if __name__ == '__main__':
    try:
        COMMANDS[sys.argv[1]](*sys.argv[2:])
    except (mwoauth.OAuthException, requests.RequestException, jwt.InvalidTokenError, ValueError, TypeError) as e:
        emit({'error': str(e), 'type': type(e).__name__})
        sys.exit(3)
