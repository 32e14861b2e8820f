# frozen_string_literal: true

# A relying party on omniauth-openid-connect (Debian ruby-omniauth-openid-connect, the gitlab fork
# 0.10), configured the way Discourse's OpenID Connect plugin signs users in: discovery, scope
# "openid profile email", client_secret_basic, a nonce, UserInfo merged into the id_token claims,
# the "Log in" button POSTing to /auth/oidc with a CSRF token (OmniAuth 2). Logout is Discourse's
# RP-initiated logout: end_session_endpoint with the id_token kept from login as id_token_hint and
# the post_logout_redirect_uri — no state, no client_id — usually long after the id_token expired.
#
# Environment: ISSUER, CLIENT_ID, CLIENT_SECRET, RP_PORT; SSL_CERT_FILE names the test CA.

require 'json'
require 'logger'
require 'securerandom'
require 'rack'
require 'rack/session/cookie'
require 'rack/protection'
require 'webrick'
require 'rack/handler/webrick'
require 'omniauth'
require 'omniauth_openid_connect'

ISSUER = ENV.fetch('ISSUER')
PORT = Integer(ENV.fetch('RP_PORT'))
BASE = "http://127.0.0.1:#{PORT}"

# Trust the test CA: httpclient (used by openid_connect, SWD, WebFinger and rack-oauth2) carries its
# own CA bundle instead of the system's, so the CA file is added explicitly.
OpenIDConnect.http_config do |client|
  client.ssl_config.clear_cert_store
  client.ssl_config.add_trust_ca(ENV.fetch('SSL_CERT_FILE'))
end

OmniAuth.config.logger = Logger.new($stderr)
OmniAuth.config.on_failure = proc do |env|
  error = env['omniauth.error']
  body = JSON.generate(error: env['omniauth.error.type'].to_s, error_description: error&.message.to_s)
  [401, { 'Content-Type' => 'application/json' }, [body]]
end

def json(status, body)
  [status, { 'Content-Type' => 'application/json' }, [JSON.generate(body)]]
end

app = Rack::Builder.new do
  use Rack::Session::Cookie, key: 'omniauth_rp', secret: SecureRandom.hex(64), same_site: :lax
  use OmniAuth::Builder do
    provider :openid_connect,
             name: :oidc,
             issuer: ISSUER,
             discovery: true,
             scope: %i[openid profile email],
             response_type: :code,
             send_nonce: true,
             client_auth_method: :basic,
             uid_field: 'sub',
             client_options: {
               identifier: ENV.fetch('CLIENT_ID'),
               secret: ENV.fetch('CLIENT_SECRET'),
               redirect_uri: "#{BASE}/auth/oidc/callback"
             }
  end

  # The forum's "Log in with the wiki" button: a form POST with the session's CSRF token.
  map '/login' do
    run(lambda do |env|
      token = Rack::Protection::AuthenticityToken.token(env['rack.session'])
      html = <<~HTML
        <!DOCTYPE html><html><body>
        <form method="post" action="/auth/oidc" id="rp-login">
        <input type="hidden" name="authenticity_token" value="#{Rack::Utils.escape_html(token)}">
        <button type="submit">Log in with the wiki</button>
        </form></body></html>
      HTML
      [200, { 'Content-Type' => 'text/html' }, [html]]
    end)
  end

  map '/auth/oidc/callback' do
    run(lambda do |env|
      auth = env['omniauth.auth']
      env['rack.session']['id_token'] = auth.credentials.id_token
      header = JSON.parse(Base64.urlsafe_decode64(auth.credentials.id_token.split('.').first + '=='))
      json(200, rp: 'omniauth', uid: auth.uid, info: auth.info.to_hash, raw_info: auth.extra.raw_info.to_hash, kid: header['kid'])
    end)
  end

  # Discourse (plugin.rb, before_session_destroy): end_session_endpoint + id_token_hint
  # (+ post_logout_redirect_uri); no state, no client_id.
  map '/logout' do
    run(lambda do |env|
      config = OpenIDConnect::Discovery::Provider::Config.discover!(ISSUER)
      query = URI.encode_www_form(id_token_hint: env['rack.session']['id_token'], post_logout_redirect_uri: "#{BASE}/logged-out")
      [302, { 'Location' => "#{config.end_session_endpoint}?#{query}" }, []]
    end)
  end

  map '/logged-out' do
    run(->(env) { json(200, rp: 'omniauth', logged_out: true, query: Rack::Utils.parse_query(env['QUERY_STRING'])) })
  end
end

server = WEBrick::HTTPServer.new(BindAddress: '127.0.0.1', Port: PORT, Logger: WEBrick::Log.new($stderr, WEBrick::Log::WARN), AccessLog: [])
server.mount '/', Rack::Handler::WEBrick, app
trap('TERM') { server.shutdown }
trap('INT') { server.shutdown }
puts "listening #{PORT}"
$stdout.flush
server.start
