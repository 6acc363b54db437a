#!/usr/bin/env bash
# local/trust.sh <ca.pem> — trust the offline stack's local CA (make trust):
# in the NSS databases Chromium and Firefox read (certutil, from
# libnss3-tools), and in the system store where this user may write to it.
# Says what it did and what is left to do by hand; exits non-zero only when
# nothing could be trusted.
set -euo pipefail
ca="${1:?usage: local/trust.sh <ca.pem>}"
name="onair local CA"
done_any=0

if command -v certutil >/dev/null; then
  dbs=()
  # Chromium/Chrome on Linux: the user's shared NSS database (created if absent).
  if [[ ! -d "$HOME/.pki/nssdb" ]]; then
    mkdir -p "$HOME/.pki/nssdb"
    certutil -d "sql:$HOME/.pki/nssdb" -N --empty-password
  fi
  dbs+=("$HOME/.pki/nssdb")
  # Firefox profiles (deb, snap and flatpak layouts).
  for p in "$HOME"/.mozilla/firefox/*/ "$HOME"/snap/firefox/common/.mozilla/firefox/*/ \
           "$HOME"/.var/app/org.mozilla.firefox/.mozilla/firefox/*/; do
    [[ -f "$p/cert9.db" ]] && dbs+=("${p%/}")
  done
  for db in "${dbs[@]}"; do
    certutil -d "sql:$db" -D -n "$name" >/dev/null 2>&1 || true # replace an older copy
    if certutil -d "sql:$db" -A -t "C,," -n "$name" -i "$ca"; then
      echo "trust: added to NSS database $db"
      done_any=1
    else
      echo "trust: could not add to NSS database $db" >&2
    fi
  done
  echo "trust: restart Chromium/Firefox for them to read it."
else
  echo "trust: certutil is missing, so Chromium/Firefox were not changed." >&2
  echo "       Debian/Ubuntu: sudo apt-get install libnss3-tools   Fedora: sudo dnf install nss-tools" >&2
  echo "       macOS: brew install nss   — then run make trust again." >&2
fi

# The system store (curl, Go programs, Chrome on macOS).
sudo=""
[[ $(id -u) != 0 ]] && sudo="sudo -n"
if [[ "$(uname)" == Darwin ]]; then
  if security add-trusted-cert -d -r trustRoot -k "$HOME/Library/Keychains/login.keychain-db" "$ca"; then
    echo "trust: added to the login keychain"
    done_any=1
  fi
elif command -v update-ca-certificates >/dev/null && [[ -d /usr/local/share/ca-certificates ]]; then
  if $sudo install -m 644 "$ca" /usr/local/share/ca-certificates/onair-local-ca.crt 2>/dev/null &&
     $sudo update-ca-certificates >/dev/null 2>&1; then
    echo "trust: added to the system store (/usr/local/share/ca-certificates)"
    done_any=1
  else
    echo "trust: the system store needs root; to add it by hand:" >&2
    echo "       sudo cp $ca /usr/local/share/ca-certificates/onair-local-ca.crt && sudo update-ca-certificates" >&2
  fi
elif command -v trust >/dev/null; then
  if $sudo trust anchor --store "$ca" 2>/dev/null; then
    echo "trust: added to the system store (p11-kit)"
    done_any=1
  else
    echo "trust: the system store needs root; by hand: sudo trust anchor --store $ca" >&2
  fi
fi

if ((done_any == 0)); then
  echo "trust: nothing was trusted. By hand: import $ca as an authority in your browser's" >&2
  echo "       certificate settings (Chromium: chrome://certificate-manager, Firefox: about:preferences#privacy)." >&2
  exit 1
fi
