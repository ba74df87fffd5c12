"""Cloud credentials as Airflow users configure them: every documented extra honoured, the rest named.

AWS through the real boto3 against moto's STS; Google through the real google-auth classes.
"""

from __future__ import annotations

import json
import logging
from pathlib import Path
from types import SimpleNamespace

import pytest
from moto import mock_aws

from steward.airflow.connections import aws_access, google_access
from tests.unit.costs.test_allocate_airflow import _service_account

ROLE = "arn:aws:iam::123456789012:role/steward-billing-reader"


def _creds(access) -> object:  # type: ignore[no-untyped-def]
    return access.session.get_credentials().get_frozen_credentials()


def test_role_arn_is_assumed_with_its_kwargs(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "testing")
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "testing")
    conn = SimpleNamespace(
        conn_id="aws_default",
        login=None,
        password=None,
        extra_dejson={"role_arn": ROLE, "assume_role_kwargs": {"ExternalId": "x-1", "DurationSeconds": 900}},
    )
    with mock_aws():
        access = aws_access(conn, region="us-east-1", what="cost source 'aws'")
        frozen = _creds(access)
        # moto hands out fresh temporary keys for the assumed role (never the caller's)
        assert frozen.access_key != "testing" and frozen.token
        assert access.client("s3").meta.region_name == "us-east-1"
        identity = access.session.client("sts").get_caller_identity()
    assert "assumed-role/steward-billing-reader/steward" in identity["Arn"]


def test_profile_name_and_endpoint_url_are_used(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    config = tmp_path / "credentials"
    config.write_text("[billing]\naws_access_key_id = AKIAPROFILE\naws_secret_access_key = from-profile\n")
    monkeypatch.setenv("AWS_SHARED_CREDENTIALS_FILE", str(config))
    conn = SimpleNamespace(
        conn_id="aws_default",
        login=None,
        password=None,
        extra_dejson={"profile_name": "billing", "endpoint_url": "http://127.0.0.1:5999"},
    )
    access = aws_access(conn, region="eu-west-1", what="test")
    assert _creds(access).access_key == "AKIAPROFILE"
    assert access.client("s3").meta.endpoint_url == "http://127.0.0.1:5999"


def test_keys_in_extras_and_unknown_extras_are_named(caplog: pytest.LogCaptureFixture) -> None:
    conn = SimpleNamespace(
        conn_id="aws_billing",
        login=None,
        password=None,
        extra_dejson={
            "aws_access_key_id": "AKIAEXTRA",
            "aws_secret_access_key": "sekret-value",
            "botocore_config": {},
        },
    )
    with caplog.at_level(logging.WARNING, logger="steward.airflow.connections"):
        access = aws_access(conn, region="us-east-1", what="cost source 'aws'")
    assert _creds(access).access_key == "AKIAEXTRA" and access.ignored == ("botocore_config",)
    assert "'aws_billing' has extras Steward does not use: botocore_config" in caplog.text
    assert "AKIAEXTRA" not in caplog.text and "sekret-value" not in caplog.text


def test_an_unsupported_assume_role_method_is_refused() -> None:
    conn = SimpleNamespace(
        conn_id="aws_default", login=None, password=None,
        extra_dejson={"role_arn": ROLE, "assume_role_method": "assume_role_with_saml"},
    )  # fmt: skip
    with pytest.raises(ValueError, match="asks for assume_role_method 'assume_role_with_saml'"):
        aws_access(conn, region="us-east-1", what="cost source 'aws'")


def test_google_impersonation_chain_wraps_the_keyfile_credentials() -> None:
    from google.auth import impersonated_credentials

    info = _service_account()
    chain = "relay@p.iam.gserviceaccount.com,billing-reader@p.iam.gserviceaccount.com"
    conn = SimpleNamespace(
        conn_id="google_cloud_default",
        extra_dejson={"keyfile_dict": json.dumps(info), "impersonation_chain": chain, "project": "p"},
    )
    credentials, project = google_access(conn, what="test")
    assert isinstance(credentials, impersonated_credentials.Credentials)
    assert credentials._target_principal == "billing-reader@p.iam.gserviceaccount.com"
    assert credentials._delegates == ["relay@p.iam.gserviceaccount.com"]
    assert credentials._source_credentials.service_account_email == info["client_email"]
    assert project == "p"


def test_a_defined_connection_is_read_and_a_missing_one_is_one_line(monkeypatch: pytest.MonkeyPatch) -> None:
    from airflow.sdk.exceptions import AirflowFailException

    from steward.airflow.connections import get_connection, warehouse_url_of

    monkeypatch.setenv("AIRFLOW_CONN_STEWARD_TEST_WH", "postgres://u:p%40ss@db.internal:5433/wh")
    conn = get_connection("steward_test_wh", what="test", fix="unused")
    assert warehouse_url_of(conn) == "postgresql://u:p%40ss@db.internal:5433/wh"
    monkeypatch.delenv("AIRFLOW_CONN_STEWARD_NOPE", raising=False)
    with pytest.raises(AirflowFailException) as info:
        get_connection(
            "steward_nope", what="cost source 'aws' (costs.sources)", fix="set the source's connection_id"
        )
    assert str(info.value).startswith(
        "cost source 'aws' (costs.sources): Airflow connection 'steward_nope' is not"
    )
    assert str(info.value).endswith(
        "(Admin > Connections, or AIRFLOW_CONN_STEWARD_NOPE) or set the source's connection_id"
    )
