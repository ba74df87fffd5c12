"""Artifact stores: a local folder and S3 through real boto3 (moto), and an unreachable store."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import boto3
import pytest
from moto import mock_aws

from steward.lifecycle import (
    ArtifactStore,
    LifecycleError,
    ModelVersion,
    default_artifacts_url,
    latest_version,
    model_history,
    register_with_artifact,
)
from steward.warehouse import Warehouse


@pytest.fixture
def aws_env(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """Fake AWS credentials (moto never sends them anywhere)."""
    for name, value in {
        "AWS_ACCESS_KEY_ID": "testing",
        "AWS_SECRET_ACCESS_KEY": "testing",
        "AWS_SESSION_TOKEN": "testing",
        "AWS_DEFAULT_REGION": "us-east-1",
    }.items():
        monkeypatch.setenv(name, value)
    monkeypatch.delenv("AWS_PROFILE", raising=False)
    monkeypatch.delenv("AWS_ENDPOINT_URL_S3", raising=False)
    yield


@pytest.fixture
def model_file(tmp_path: Path) -> Path:
    path = tmp_path / "build" / "model.joblib"
    path.parent.mkdir()
    path.write_bytes(b"\x80\x04 pickled model bytes")
    return path


def test_the_location_comes_from_the_environment_then_the_registry_then_steward_home(
    monkeypatch: pytest.MonkeyPatch, steward_home: Path
) -> None:
    monkeypatch.delenv("STEWARD_ARTIFACTS", raising=False)
    assert default_artifacts_url() == str(steward_home / "artifacts")
    assert default_artifacts_url("s3://from-registry/models") == "s3://from-registry/models"
    monkeypatch.setenv("STEWARD_ARTIFACTS", "/mnt/models")
    assert default_artifacts_url("s3://from-registry/models") == "/mnt/models"


def test_local_store_round_trip(tmp_path: Path, model_file: Path) -> None:
    store = ArtifactStore.from_url(str(tmp_path / "artifacts"))
    uri = store.put("lead_scoring", "2.3.0", model_file)
    assert uri == str(tmp_path / "artifacts" / "lead_scoring" / "2.3.0" / "model.joblib")
    assert store.exists(uri)
    back = store.get(uri, tmp_path / "out")  # a missing folder is a file path
    assert back.read_bytes() == model_file.read_bytes()
    assert not store.exists(str(tmp_path / "artifacts" / "lead_scoring" / "9.9" / "model.joblib"))
    with pytest.raises(LifecycleError, match="is not in the artifact store"):
        store.get("/etc/passwd", tmp_path / "x")


@pytest.mark.usefixtures("aws_env")
def test_s3_store_round_trip_through_moto(tmp_path: Path, model_file: Path) -> None:
    with mock_aws():
        boto3.client("s3").create_bucket(Bucket="nw-models")
        store = ArtifactStore.from_url("s3://nw-models/steward")
        uri = store.put("credit_risk", "1.8.2", model_file)
        assert uri == "s3://nw-models/steward/credit_risk/1.8.2/model.joblib"
        body = boto3.client("s3").get_object(Bucket="nw-models", Key="steward/credit_risk/1.8.2/model.joblib")
        assert body["Body"].read() == model_file.read_bytes()
        assert store.exists(uri)
        assert not store.exists("s3://nw-models/steward/credit_risk/0.1/model.joblib")
        (tmp_path / "out").mkdir()
        back = store.get(uri, tmp_path / "out")  # an existing folder: the file keeps its name
        assert back == tmp_path / "out" / "model.joblib" and back.read_bytes() == model_file.read_bytes()


@pytest.mark.usefixtures("aws_env")
def test_a_missing_bucket_registers_nothing(warehouse: Warehouse, model_file: Path) -> None:
    with mock_aws():
        store = ArtifactStore.from_url("s3://no-such-bucket/models")
        with pytest.raises(
            LifecycleError, match=r"artifact store s3://no-such-bucket/models is unreachable.*NoSuchBucket"
        ):
            register_with_artifact(
                warehouse,
                ModelVersion("credit_risk", "1.9.0"),
                model_file,
                store=store,
                actor="ci",
                reason="r",
            )
    assert latest_version(warehouse, "credit_risk") is None
    assert model_history(warehouse, "credit_risk") == []


@pytest.mark.usefixtures("aws_env")
def test_an_unreachable_endpoint_is_a_clear_error(monkeypatch: pytest.MonkeyPatch, model_file: Path) -> None:
    monkeypatch.setenv("AWS_ENDPOINT_URL_S3", "http://127.0.0.1:9")  # the discard port: connection refused
    monkeypatch.setenv("AWS_MAX_ATTEMPTS", "1")
    store = ArtifactStore.from_url("s3://nw-models/steward")
    with pytest.raises(
        LifecycleError, match=r"unreachable or refused writing s3://nw-models/steward/.*credentials"
    ):
        store.put("credit_risk", "1.9.0", model_file)


def test_register_with_artifact_records_the_uri(
    warehouse: Warehouse, tmp_path: Path, model_file: Path
) -> None:
    store = ArtifactStore.from_url(f"file://{tmp_path / 'artifacts'}")
    mv = register_with_artifact(
        warehouse,
        ModelVersion("lead_scoring", "2.4.0"),
        model_file,
        store=store,
        actor="ci",
        reason="trained",
    )
    stored = latest_version(warehouse, "lead_scoring")
    assert stored is not None and stored.artifact_uri == mv.artifact_uri
    assert store.exists(str(stored.artifact_uri))


def test_bad_store_urls_and_files_are_clear_errors(tmp_path: Path) -> None:
    with pytest.raises(LifecycleError, match="scheme 'gs' is not supported"):
        ArtifactStore.from_url("gs://bucket/x")
    with pytest.raises(LifecycleError, match="names no bucket"):
        ArtifactStore.from_url("s3:///x")
    with pytest.raises(LifecycleError, match=r"artifact file .*missing\.joblib does not exist"):
        ArtifactStore.from_url(str(tmp_path)).put("lead_scoring", "1.0", tmp_path / "missing.joblib")
