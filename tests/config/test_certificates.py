"""`tenant add --cert-path`: the file exists, is a regular file, and holds a private key with its certificate
(PEM or PKCS#12 without a password, the forms azure-identity's CertificateCredential reads:
https://learn.microsoft.com/en-us/python/api/azure-identity/azure.identity.certificatecredential)."""
from __future__ import annotations

import datetime
import os
from pathlib import Path

import pytest
from click.testing import CliRunner
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.hazmat.primitives.serialization import pkcs12
from cryptography.x509.oid import NameOID

from readiness.cli import cli
from readiness.config.profiles import ProfileStore

CLIENT_ID = "11111111-2222-3333-4444-555555555555"


def pair(cn: str = "readiness-app"):
    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, cn)])
    start = datetime.datetime(2020, 1, 1)  # validity does not matter here; no date in the outcome
    cert = (x509.CertificateBuilder().subject_name(name).issuer_name(name).public_key(key.public_key())
            .serial_number(x509.random_serial_number()).not_valid_before(start)
            .not_valid_after(start + datetime.timedelta(days=36500)).sign(key, hashes.SHA256()))
    return key, cert


def key_pem(key, password: bytes | None = None) -> bytes:
    enc = serialization.BestAvailableEncryption(password) if password else serialization.NoEncryption()
    return key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, enc)


def cert_pem(cert) -> bytes:
    return cert.public_bytes(serialization.Encoding.PEM)


def add(path: str):
    return CliRunner().invoke(cli, ["tenant", "add", "app", "--tenant-id", "kunde-a.example", "--auth", "certificate",
                                    "--client-id", CLIENT_ID, "--cert-path", path])


def write(tmp_path: Path, name: str, data: bytes) -> str:
    p = tmp_path / name
    p.write_bytes(data)
    return str(p)


def test_a_pem_with_key_and_certificate_is_accepted_and_stored_absolute(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    key, cert = pair()
    write(tmp_path, "app.pem", cert_pem(cert) + key_pem(key))
    monkeypatch.chdir(tmp_path)
    r = add("app.pem")
    assert r.exit_code == 0, r.output
    thumb = cert.fingerprint(hashes.SHA1()).hex().upper()
    assert f"CN=readiness-app (thumbprint {thumb}, PEM)" in r.stderr
    assert ProfileStore().get("app").cert_path == str(tmp_path / "app.pem")


def test_a_pkcs12_without_password_is_accepted(tmp_path: Path) -> None:
    key, cert = pair()
    data = pkcs12.serialize_key_and_certificates(b"app", key, cert, None, serialization.NoEncryption())
    r = add(write(tmp_path, "app.pfx", data))
    assert r.exit_code == 0, r.output
    assert "PKCS#12" in r.stderr


def bad_cases(tmp_path: Path) -> list[tuple[str, str]]:
    key, cert = pair()
    other, _ = pair("other")
    fifo = tmp_path / "fifo"
    os.mkfifo(fifo)
    p12 = pkcs12.serialize_key_and_certificates(b"app", key, cert, None, serialization.BestAvailableEncryption(b"pw"))
    return [
        (str(tmp_path / "missing.pem"), "does not exist"),
        (str(tmp_path), "is not a regular file"),
        (str(fifo), "is not a regular file"),
        ("/dev/null", "is not a regular file"),
        (write(tmp_path, "cert-only.pem", cert_pem(cert)), "no private key"),
        (write(tmp_path, "key-only.pem", key_pem(key)), "no certificate"),
        (write(tmp_path, "mismatch.pem", cert_pem(cert) + key_pem(other)), "does not belong to its certificate"),
        (write(tmp_path, "encrypted.pem", cert_pem(cert) + key_pem(key, b"pw")), "encrypted with a password"),
        (write(tmp_path, "locked.pfx", p12), "without a password"),
        (write(tmp_path, "junk.pem", b"hello, I am not a certificate\n"), "neither a PEM key"),
        (write(tmp_path, "broken.pem", b"-----BEGIN CERTIFICATE-----\nnot base64\n-----END CERTIFICATE-----\n"
               + key_pem(key)), "cannot be read"),
        (write(tmp_path, "huge.pem", b"-----BEGIN" + b"A" * (1 << 20)), "too large"),
    ]


def test_bad_certificate_files_are_clear_usage_errors_and_save_nothing(tmp_path: Path, _isolated_home: Path) -> None:
    for path, words in bad_cases(tmp_path):
        r = add(path)
        assert r.exit_code == 2, (path, r.output)
        assert r.output.startswith("Error: ") and words in r.output, (path, r.output)
        assert "Traceback" not in r.output
        assert not (_isolated_home / "config" / "tenants.json").exists(), path
