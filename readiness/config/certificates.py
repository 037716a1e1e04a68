"""Check a certificate file before a profile names it: a regular file holding a private key and its certificate.

azure-identity's CertificateCredential reads a PEM file (key and certificate) or a PKCS#12 (.pfx/.p12) file;
readiness stores no password for it, so the key must not be encrypted (protect the file itself: mode 0600).
https://learn.microsoft.com/en-us/python/api/azure-identity/azure.identity.certificatecredential
"""
from __future__ import annotations

import os
import stat
from dataclasses import dataclass
from pathlib import Path

from ..errors import UsageError

MAX_BYTES = 1 << 20  # a key and a chain fit in a few kB; anything this large is not a certificate file


@dataclass(frozen=True)
class CertificateInfo:
    path: Path  # absolute, so that the profile works from any folder
    kind: str  # "PEM" or "PKCS#12"
    subject: str
    thumbprint: str  # SHA-1, as the Entra admin center shows it


def check_certificate(path: str) -> CertificateInfo:
    """Validate ``--cert-path``; UsageError saying what is wrong and how to fix it."""
    p = Path(path).expanduser()
    try:
        st = p.stat()
    except FileNotFoundError:
        raise UsageError.keyed("config.cert_not_found", p=p) from None
    except OSError as exc:
        raise UsageError.keyed("config.cert_unreadable", p=p, reason=exc.strerror) from exc
    if not stat.S_ISREG(st.st_mode):
        raise UsageError.keyed("config.cert_not_file", fix_key="config.cert_pem", p=p)
    if st.st_size > MAX_BYTES:
        raise UsageError.keyed("config.cert_too_large", fix_key="config.cert_pem", p=p, size=st.st_size)
    try:
        with open(p, "rb") as fh:
            data = fh.read(MAX_BYTES + 1)
    except OSError as exc:
        raise UsageError.keyed("config.cert_unreadable_permissions", p=p, reason=exc.strerror) from exc
    if b"-----BEGIN" in data:
        key, certs, kind = _pem(p, data), _pem_certs(p, data), "PEM"
    else:
        key, certs, kind = (*_pkcs12(p, data), "PKCS#12")
    if not certs:
        raise UsageError.keyed("config.cert_missing", fix_key="config.cert_pem", p=p)
    if key is None:
        raise UsageError.keyed("config.key_missing", fix_key="config.cert_pem", p=p)
    from cryptography.hazmat.primitives import hashes, serialization

    def spki(obj: object) -> bytes:
        return obj.public_bytes(serialization.Encoding.DER, serialization.PublicFormat.SubjectPublicKeyInfo)  # type: ignore[attr-defined]

    cert = next((c for c in certs if spki(c.public_key()) == spki(key.public_key())), None)
    if cert is None:
        raise UsageError.keyed("config.key_mismatch", p=p)
    return CertificateInfo(p.resolve(), kind, cert.subject.rfc4514_string(), cert.fingerprint(hashes.SHA1()).hex().upper())


def _pem(p: Path, data: bytes):  # noqa: ANN202
    from cryptography.hazmat.primitives import serialization

    if b"PRIVATE KEY-----" not in data:
        return None
    if b"ENCRYPTED PRIVATE KEY-----" in data or b"Proc-Type: 4,ENCRYPTED" in data:
        raise UsageError.keyed("config.key_encrypted", p=p)
    try:
        return serialization.load_pem_private_key(data, password=None)  # skips the certificate blocks
    except (ValueError, TypeError) as exc:
        raise UsageError.keyed("config.key_unreadable", fix_key="config.cert_pem", p=p, exc=exc) from exc


def _pem_certs(p: Path, data: bytes) -> list:
    from cryptography import x509

    if b"-----BEGIN CERTIFICATE-----" not in data:
        return []
    try:
        return x509.load_pem_x509_certificates(data)
    except ValueError as exc:
        raise UsageError.keyed("config.cert_unparsable", fix_key="config.cert_pem", p=p, exc=exc) from exc


def _pkcs12(p: Path, data: bytes) -> tuple:
    from cryptography.hazmat.primitives.serialization import pkcs12

    try:
        key, cert, extra = pkcs12.load_key_and_certificates(data, None)
    except (ValueError, TypeError) as exc:
        if data[:1] == b"\x30":  # DER: most likely a PKCS#12 with a password
            raise UsageError.keyed("config.pkcs12_password", p=p) from exc
        raise UsageError.keyed("config.cert_unknown_format", fix_key="config.cert_pem", p=p) from exc
    return key, ([cert] if cert else []) + list(extra or [])
