"""Every sign-in method builds its azure-identity credential (no network), or says what is missing."""
from __future__ import annotations

import datetime
from pathlib import Path

import pytest

from readiness.errors import AuthError, ConfigError, UsageError
from readiness.graph.auth import CachedAsyncCredential, StaticTokenCredential, credential_for_profile, token_claims
from readiness.graph.clouds import CLOUDS, cloud_endpoint, custom_endpoint
from readiness.config.profiles import TenantProfile

APP = "11111111-2222-3333-4444-555555555555"


def _pem(tmp_path: Path) -> str:
    from cryptography import x509
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import rsa
    from cryptography.x509.oid import NameOID

    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "readiness-test")])
    now = datetime.datetime.now(datetime.timezone.utc)
    cert = (x509.CertificateBuilder().subject_name(name).issuer_name(name).public_key(key.public_key())
            .serial_number(1).not_valid_before(now).not_valid_after(now + datetime.timedelta(days=1)).sign(key, hashes.SHA256()))
    path = tmp_path / "app.pem"
    path.write_bytes(key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption())
                     + cert.public_bytes(serialization.Encoding.PEM))
    return str(path)


@pytest.mark.parametrize("cloud", sorted(CLOUDS))
def test_each_method_builds_for_each_cloud(cloud: str, tmp_path: Path) -> None:
    endpoint = cloud_endpoint(cloud)
    built = {}
    for method, extra in (("client-secret", {}), ("certificate", {"cert_path": _pem(tmp_path)}), ("azure-cli", {}),
                          ("managed-identity", {})):
        p = TenantProfile("t", "contoso.onmicrosoft.com", method, APP, cloud, **extra)
        built[method] = credential_for_profile(p, endpoint, secret="s3cret")
    assert all(isinstance(c, CachedAsyncCredential) for c in built.values())
    assert type(built["certificate"]._cred).__name__ == "CertificateCredential"
    assert endpoint.scope.startswith("https://") and endpoint.scope.endswith("/.default")


def test_interactive_methods_need_a_login_first(tmp_path: Path) -> None:
    for method in ("device-code", "browser"):
        p = TenantProfile("t", "contoso.onmicrosoft.com", method, APP)
        with pytest.raises(AuthError, match="tenant login"):
            credential_for_profile(p, cloud_endpoint("global"), record_dir=tmp_path)


def test_missing_secret_and_token_name_the_fix(monkeypatch: pytest.MonkeyPatch) -> None:
    with pytest.raises(ConfigError, match="tenant secret"):
        credential_for_profile(TenantProfile("t", "c.example", "client-secret", APP), cloud_endpoint("global"))
    with pytest.raises(UsageError, match="READINESS_ACCESS_TOKEN"):
        credential_for_profile(TenantProfile("t", "c.example", "token"), custom_endpoint("http://127.0.0.1:1/v1.0"))
    monkeypatch.setenv("READINESS_ACCESS_TOKEN", "abc")
    assert isinstance(credential_for_profile(TenantProfile("t", "c.example", "token"), custom_endpoint("http://127.0.0.1:1/v1.0")),
                      StaticTokenCredential)


def test_national_cloud_hosts_and_token_claims() -> None:
    assert cloud_endpoint("usgov").base_url == "https://graph.microsoft.us/v1.0"
    assert cloud_endpoint("china").authority_host == "login.chinacloudapi.cn"
    assert token_claims("not.a.jwt") == {} and token_claims("opaque") == {}
