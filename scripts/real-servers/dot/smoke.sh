#!/usr/bin/env bash
# Drives a running dot.sh instance with curl through every flow Tokenvault's tests rely on
# and checks each answer. Usage: smoke.sh BASE_URL   (e.g. http://127.0.0.1:18401)
# Needs only bash, curl, openssl and sed. Prints each step and "N passed, N failed".
# Set REUSE_PROTECTION=1 when the instance was started with DOT_REUSE_PROTECTION=1.
set -euo pipefail

BASE="${1:?usage: smoke.sh BASE_URL}"
export no_proxy='*' NO_PROXY='*'   # loopback only, never through a proxy
PORT="${BASE##*:}"
WORK="$(mktemp -d /tmp/dot-smoke.XXXXXX)"
trap 'rm -rf "$WORK"' EXIT
JAR="$WORK/jar"
PASS=0
FAIL=0

# check NAME ACTUAL PATTERN: ACTUAL must match the extended regex PATTERN.
check() {
  if [[ "$2" =~ $3 ]]; then
    PASS=$((PASS + 1)); printf 'ok    %-44s %s\n' "$1" "${2:0:150}"
  else
    FAIL=$((FAIL + 1)); printf 'FAIL  %-44s %s   (wanted /%s/)\n' "$1" "${2:0:150}" "$3"
  fi
}
# field JSON NAME: the string value of NAME in a flat JSON object.
field() { sed -n "s/.*\"$2\": *\"\([^\"]*\)\".*/\1/p" <<<"$1"; }
# post URL ARGS...: body, a space, then the status code.
post() { local url="$1"; shift; curl -s -w ' %{http_code}' "$@" "$url"; }

echo "== a. client credentials"
r="$(post "$BASE/o/token/" -u reporting:reporting-secret -d grant_type=client_credentials -d scope=read)"
check "reporting, HTTP Basic" "$r" '"access_token": "[^"]+", "expires_in": [0-9]+, "token_type": "Bearer", "scope": "read"} 200$'
CC="$(field "$r" access_token)"
r="$(post "$BASE/o/token/" -d grant_type=client_credentials -d client_id=reporting -d client_secret=reporting-secret)"
check "reporting, body fields" "$r" '"access_token".* 200$'
r="$(post "$BASE/o/token/" -u reporting:wrong -d grant_type=client_credentials)"
check "wrong secret" "$r" '^\{"error": "invalid_client"\} 401$'
r="$(curl -s -o /dev/null -w '%{http_code}' -u reporting:reporting-secret -d grant_type=client_credentials "$BASE/o/token")"
check "no trailing slash" "$r" '^301$'

echo "== b. authorization code + PKCE for alice (port 53123 chosen by the 'app')"
VERIFIER="$(head -c 32 /dev/urandom | base64 | tr '+/' '-_' | tr -d '=\n')"
CHALLENGE="$(printf %s "$VERIFIER" | openssl dgst -sha256 -binary | base64 | tr '+/' '-_' | tr -d '=\n')"
REDIRECT="http://127.0.0.1:53123/callback"
AUTHZ="$BASE/o/authorize/?response_type=code&client_id=tokenvault&redirect_uri=http%3A%2F%2F127.0.0.1%3A53123%2Fcallback&scope=read&state=st-1&code_challenge=$CHALLENGE&code_challenge_method=S256"
loc="$(curl -s -c "$JAR" -b "$JAR" -o /dev/null -w '%{http_code} %header{location}' "$AUTHZ")"
check "authorize before login" "$loc" '^302 /accounts/login/\?next=/o/authorize/'
page="$(curl -s -c "$JAR" -b "$JAR" "$BASE${loc#302 }")"
csrf="$(sed -n 's/.*name="csrfmiddlewaretoken" value="\([^"]*\)".*/\1/p' <<<"$page")"
next="$(sed -n 's/.*name="next" value="\([^"]*\)".*/\1/p' <<<"$page" | sed 's/&amp;/\&/g')"
check "login page has the form" "$(grep -o 'name="username"\|name="password"\|id="login-submit"' <<<"$page" | tr '\n' ' ')" 'username.*password.*login-submit'
r="$(curl -s -c "$JAR" -b "$JAR" -o /dev/null -w '%{http_code} %header{location}' \
  --data-urlencode "csrfmiddlewaretoken=$csrf" --data-urlencode username=alice \
  --data-urlencode password=alice-password --data-urlencode "next=$next" "$BASE/accounts/login/")"
check "log in" "$r" '^302 /o/authorize/\?response_type=code'
loc="$(curl -s -c "$JAR" -b "$JAR" -o /dev/null -w '%{http_code} %header{location}' "$AUTHZ")"
check "authorize after login" "$loc" "^302 http://127.0.0.1:53123/callback\?code=[^&]+&state=st-1$"
CODE="$(sed -n 's/.*[?&]code=\([^&]*\).*/\1/p' <<<"$loc")"
r="$(post "$BASE/o/token/" -d grant_type=authorization_code -d client_id=tokenvault -d "code=$CODE" \
  -d "redirect_uri=$REDIRECT" -d "code_verifier=$VERIFIER")"
check "exchange code" "$r" '"refresh_token": "[^"]+"} 200$'
AT1="$(field "$r" access_token)"; RT1="$(field "$r" refresh_token)"
r="$(post "$BASE/o/token/" -d grant_type=authorization_code -d client_id=tokenvault -d "code=$CODE" \
  -d "redirect_uri=$REDIRECT" -d "code_verifier=$VERIFIER")"
check "reuse the code" "$r" '^\{"error": "invalid_grant"\} 400$'
loc="$(curl -s -b "$JAR" -o /dev/null -w '%{http_code} %header{location}' "${AUTHZ/53123/40404}")"
check "any loopback port (40404)" "$loc" '^302 http://127.0.0.1:40404/callback\?code='
CODE="$(sed -n 's/.*[?&]code=\([^&]*\).*/\1/p' <<<"$loc")"
r="$(post "$BASE/o/token/" -d grant_type=authorization_code -d client_id=tokenvault -d "code=$CODE" \
  -d redirect_uri=http://127.0.0.1:40404/callback -d "code_verifier=${VERIFIER}x")"
check "wrong code_verifier" "$r" '^\{"error": "invalid_grant"\} 400$'
r="$(curl -s -b "$JAR" -w ' %{http_code}' "${AUTHZ/\%2Fcallback/\%2Fother}")"
check "other path is refused" "$(grep -o 'Mismatching redirect URI.\| [0-9]*$' <<<"$r" | tr '\n' ' ')" 'Mismatching redirect URI. +400'
r="$(curl -s -b "$JAR" -o /dev/null -w '%{http_code} %header{location}' "${AUTHZ/&code_challenge=*/}")"
check "no PKCE" "$r" 'error=invalid_request&error_description=Code\+challenge\+required'
# The tokenvault client skips the consent page, so a refusal is shown with the
# tokenvault-consent client: its page's Cancel button posts the form without "allow".
r="$(curl -s -b "$JAR" -o /dev/null -w '%{http_code} %header{location}' \
  -d "csrfmiddlewaretoken=$(sed -n "s/.*dot_csrftoken_$PORT\t//p" "$JAR")" \
  -d client_id=tokenvault-consent -d "redirect_uri=$REDIRECT" -d response_type=code -d scope=read \
  -d state=st-2 -d "code_challenge=$CHALLENGE" -d code_challenge_method=S256 "$BASE/o/authorize/")"
check "consent page: Cancel" "$r" '^302 http://127.0.0.1:53123/callback\?error=access_denied&state=st-2$'

echo "== c. refresh (rotation)"
r="$(post "$BASE/o/token/" -d grant_type=refresh_token -d client_id=tokenvault -d "refresh_token=$RT1")"
check "refresh" "$r" '"refresh_token": "[^"]+"} 200$'
AT2="$(field "$r" access_token)"; RT2="$(field "$r" refresh_token)"
check "refresh token rotated" "$([[ "$RT2" != "$RT1" ]] && echo new || echo same)" '^new$'
r="$(post "$BASE/o/token/" -d grant_type=refresh_token -d client_id=tokenvault -d "refresh_token=$RT1")"
check "reuse the old refresh token" "$r" '^\{"error": "invalid_grant"\} 400$'
r="$(post "$BASE/o/introspect/" -u reporting:reporting-secret -d "token=$AT2")"
if [[ "${REUSE_PROTECTION:-}" == 1 ]]; then
  # The reuse revoked the whole family: the newest tokens are dead too.
  check "after reuse: newest access token" "$r" '^\{"active": false\} 200$'
  r="$(post "$BASE/o/token/" -d grant_type=refresh_token -d client_id=tokenvault -d "refresh_token=$RT2")"
  check "after reuse: newest refresh token" "$r" '^\{"error": "invalid_grant"\} 400$'
else
  check "after reuse: newest access token" "$r" '^\{"active": true.* 200$'
fi

# Fresh tokens for the next steps (alice's session is still signed in).
loc="$(curl -s -c "$JAR" -b "$JAR" -o /dev/null -w '%header{location}' "$AUTHZ")"
CODE="$(sed -n 's/.*[?&]code=\([^&]*\).*/\1/p' <<<"$loc")"
r="$(post "$BASE/o/token/" -d grant_type=authorization_code -d client_id=tokenvault -d "code=$CODE" \
  -d "redirect_uri=$REDIRECT" -d "code_verifier=$VERIFIER")"
check "second code, exchanged" "$r" '"refresh_token": "[^"]+"} 200$'
AT2="$(field "$r" access_token)"; RT2="$(field "$r" refresh_token)"

echo "== d. introspection and revocation"
r="$(post "$BASE/o/introspect/" -u reporting:reporting-secret -d "token=$AT2")"
check "introspect (reporting, Basic)" "$r" '^\{"active": true, "scope": "read", "exp": [0-9]+, "client_id": "tokenvault", "username": "alice"\} 200$'
r="$(post "$BASE/o/introspect/" -u reporting:reporting-secret -d "token=$AT1")"
check "introspect the refreshed-away token" "$r" '^\{"active": false\} 200$'
r="$(post "$BASE/o/introspect/" -d "token=$AT2")"
check "introspect without auth" "$r" '^ 403$'
r="$(post "$BASE/o/introspect/" -H "Authorization: Bearer $CC" -d "token=$AT2")"
check "introspect, Bearer without the scope" "$r" '^ 403$'
r="$(post "$BASE/o/revoke_token/" -d client_id=tokenvault -d "token=$RT2" -d token_type_hint=refresh_token)"
check "revoke refresh token (public client)" "$r" '^ 200$'
r="$(post "$BASE/o/token/" -d grant_type=refresh_token -d client_id=tokenvault -d "refresh_token=$RT2")"
check "refresh with the revoked token" "$r" '^\{"error": "invalid_grant"\} 400$'
r="$(post "$BASE/o/introspect/" -u reporting:reporting-secret -d "token=$AT2")"
check "its access token is revoked too" "$r" '^\{"active": false\} 200$'

echo "$PASS passed, $FAIL failed"
[[ $FAIL -eq 0 ]]
