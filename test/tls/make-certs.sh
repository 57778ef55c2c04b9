#!/bin/sh
# make-certs.sh — test certificates for the TLS unit tests.
#
# Usage: test/tls/make-certs.sh [DIR]   (default: build/tls)
#
# Writes into DIR:
#   ca.pem / ca.key                   a test CA
#   server.pem / server.key           "localhost" + IP 127.0.0.1 and ::1, signed by the CA
#   wrong.pem / wrong.key             "wrong.example", signed by the CA
#   selfsigned.pem / selfsigned.key   "localhost" + 127.0.0.1, self-signed
#
# Keys are made fresh on every run and never committed. EC P-256 keeps it fast.
set -eu

dir=${1:-build/tls}
days=30
mkdir -p "$dir"
tmp=$(mktemp -d "${TMPDIR:-/tmp}/neo4j-certs.XXXXXX")
trap 'rm -rf "$tmp"' EXIT INT TERM

# A minimal config, so the result does not depend on the system openssl.cnf.
cat > "$tmp/req.cnf" <<'CNF'
[req]
distinguished_name = dn
prompt = no
[dn]
CN = unused
CNF

newkey() {
    openssl genpkey -algorithm EC -pkeyopt ec_paramgen_curve:P-256 -out "$1" 2>/dev/null
}

serial() {
    echo "0x$(openssl rand -hex 8)"
}

# leaf NAME CN SAN: key + CA-signed certificate
leaf() {
    newkey "$tmp/$1.key"
    openssl req -new -config "$tmp/req.cnf" -key "$tmp/$1.key" -subj "/CN=$2" -out "$tmp/$1.csr"
    cat > "$tmp/$1.ext" <<EXT
basicConstraints = critical, CA:FALSE
keyUsage = critical, digitalSignature, keyEncipherment
extendedKeyUsage = serverAuth
subjectAltName = $3
subjectKeyIdentifier = hash
authorityKeyIdentifier = keyid
EXT
    openssl x509 -req -in "$tmp/$1.csr" -CA "$tmp/ca.pem" -CAkey "$tmp/ca.key" \
        -set_serial "$(serial)" -days "$days" -sha256 -extfile "$tmp/$1.ext" \
        -out "$tmp/$1.pem" 2>/dev/null
}

newkey "$tmp/ca.key"
openssl req -new -x509 -config "$tmp/req.cnf" -key "$tmp/ca.key" -subj "/CN=neo4j_fdw test CA" \
    -set_serial "$(serial)" -days "$days" -sha256 \
    -addext "basicConstraints = critical, CA:TRUE" \
    -addext "keyUsage = critical, keyCertSign, cRLSign" \
    -addext "subjectKeyIdentifier = hash" \
    -out "$tmp/ca.pem"

leaf server localhost "DNS:localhost, IP:127.0.0.1, IP:::1"
leaf wrong wrong.example "DNS:wrong.example"

newkey "$tmp/selfsigned.key"
openssl req -new -x509 -config "$tmp/req.cnf" -key "$tmp/selfsigned.key" -subj "/CN=localhost" \
    -set_serial "$(serial)" -days "$days" -sha256 \
    -addext "subjectAltName = DNS:localhost, IP:127.0.0.1" \
    -addext "extendedKeyUsage = serverAuth" \
    -out "$tmp/selfsigned.pem"

# Move into place only once everything exists, so a reader never sees a half set.
for f in ca server wrong selfsigned; do
    chmod 600 "$tmp/$f.key"
    mv -f "$tmp/$f.key" "$dir/$f.key"
    mv -f "$tmp/$f.pem" "$dir/$f.pem"
done
