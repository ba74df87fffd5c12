"""The cost DAG's helpers: provider clients built from Airflow connections, failed-source detection,
and the spend lines `steward costs spend` prints."""

from __future__ import annotations

import json
from decimal import Decimal
from types import SimpleNamespace

import pytest

from steward.airflow.connections import google_access
from steward.airflow.costs import clients_for, failed_sources
from steward.costs import format_spend


def _aws_source(kind: str = "aws_cost_explorer") -> SimpleNamespace:
    return SimpleNamespace(name="aws", kind=kind, region="us-east-1", connection_id="aws_default")


def test_aws_clients_use_the_connection_keys_and_the_source_region() -> None:
    conn = SimpleNamespace(
        login="AKIAEXAMPLE",
        password="secret-key",
        extra_dejson={"region_name": "eu-west-1", "aws_session_token": "t"},
    )
    clients = clients_for(_aws_source(), conn)
    assert set(clients) == {"ce"}
    ce = clients["ce"]
    creds = ce._request_signer._credentials  # type: ignore[attr-defined]
    assert (creds.access_key, creds.secret_key, creds.token) == ("AKIAEXAMPLE", "secret-key", "t")
    assert ce.meta.endpoint_url == "https://ce.us-east-1.amazonaws.com"  # type: ignore[attr-defined]
    s3 = clients_for(_aws_source("aws_data_exports"), conn)
    assert set(s3) == {"s3"}
    assert s3["s3"].meta.region_name == "us-east-1"  # type: ignore[attr-defined]  # the source's region
    assert clients_for(SimpleNamespace(kind="local_files"), None) == {}


def _service_account() -> dict[str, str]:
    from cryptography.hazmat.primitives import serialization
    from cryptography.hazmat.primitives.asymmetric import rsa

    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    pem = key.private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
    ).decode()
    return {
        "type": "service_account",
        "project_id": "nw-billing",
        "private_key_id": "k1",
        "private_key": pem,
        "client_email": "steward@nw-billing.iam.gserviceaccount.com",
        "client_id": "1",
        "token_uri": "https://oauth2.googleapis.com/token",
    }


def test_google_clients_use_the_connection_keyfile() -> None:
    info = _service_account()
    conn = SimpleNamespace(extra_dejson={"extra__google_cloud_platform__keyfile_dict": json.dumps(info)})
    credentials, project = google_access(conn, what="test")
    assert project == "nw-billing" and credentials.service_account_email == info["client_email"]
    source = SimpleNamespace(
        name="gcp",
        kind="gcp_bigquery_export",
        connection_id="google_cloud_default",
        table="billing-proj.export.gcp_billing_export_v1_X",
        job_project=None,
    )
    clients = clients_for(source, conn)
    assert set(clients) == {"bigquery", "billing"}
    assert clients["bigquery"].project == "nw-billing"  # type: ignore[attr-defined]
    assert clients["bigquery"]._credentials.service_account_email == info["client_email"]  # type: ignore[attr-defined]


def test_failed_sources() -> None:
    assert failed_sources(["a", "b", "c"], [{"source": "c"}, None, {"source": "a"}]) == ["b"]
    assert failed_sources([], []) == []


def test_format_spend() -> None:
    rows = [
        {
            "currency": "USD",
            "business_unit": "lending",
            "effective_cost": Decimal("1234.50"),  # spend_summary rounds for display
            "share": 0.75,
            "untagged_share": 0.3,
            "no_tags_share": 0.1,
        },
        {
            "currency": "USD",
            "business_unit": None,
            "effective_cost": Decimal("411.49"),
            "share": 0.25,
            "untagged_share": 0.3,
            "no_tags_share": 0.1,
        },
    ]
    assert format_spend(rows) == [
        "  lending          USD       1,234.50   75.0%",
        "  (unallocated)    USD         411.49   25.0%",
        "  total            USD       1,645.99",
        "  USD: 30.0% of cost has no business-unit tag (10.0% has no tag at all)",
    ]


@pytest.mark.parametrize("extra", [{"key_path": "/nonexistent/key.json"}])
def test_missing_key_file_is_an_error(extra: dict[str, str]) -> None:
    with pytest.raises(FileNotFoundError):
        google_access(SimpleNamespace(extra_dejson=extra), what="test")
