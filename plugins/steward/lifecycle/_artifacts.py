"""Model artifacts stored by model and version: a local folder (default) or ``s3://`` through boto3."""

from __future__ import annotations

import os
import shutil
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from steward import paths
from steward.lifecycle._model import LifecycleError

__all__ = ["ArtifactStore", "default_artifacts_url"]

#: Environment variable naming the artifact location (a folder or ``s3://bucket/prefix``).
ARTIFACTS_ENV = "STEWARD_ARTIFACTS"


def default_artifacts_url(configured: str | None = None) -> str:
    """Return where artifacts go.

    ``$STEWARD_ARTIFACTS``, else ``configured`` (the registry's ``artifacts:`` key), else
    ``${STEWARD_HOME}/artifacts``.
    """
    return os.environ.get(ARTIFACTS_ENV) or configured or str(paths.steward_home() / "artifacts")


class ArtifactStore:
    """Where model artifacts live: ``<root>/<model>/<version>/<file name>``.

    Get one with :meth:`from_url`. ``put`` copies a local file in and returns its URI; ``get`` copies
    it back out. Every failure (an unreachable bucket, a missing object, no permission) is an
    :class:`~steward.lifecycle.LifecycleError` naming the location and the fix.

    Examples
    --------
    >>> store = ArtifactStore.from_url("/tmp/artifacts")  # doctest: +SKIP
    >>> uri = store.put("lead_scoring", "2.3.0", Path("model.joblib"))  # doctest: +SKIP
    >>> store.exists(uri)  # doctest: +SKIP
    True
    """

    def __init__(self, url: str) -> None:
        self.url = url.rstrip("/") or url

    @staticmethod
    def from_url(url: str | None = None) -> ArtifactStore:
        """Return the store at ``url``: a folder, ``file://`` or ``s3://bucket/prefix``.

        Without ``url``, :func:`default_artifacts_url`.
        """
        url = url or default_artifacts_url()
        parsed = urlsplit(url)
        if parsed.scheme == "s3":
            if not parsed.netloc:
                raise LifecycleError(f"artifact store {url!r} names no bucket; use s3://bucket/prefix")
            return S3ArtifactStore(url)
        if parsed.scheme == "file":
            return LocalArtifactStore(parsed.path)
        if parsed.scheme and len(parsed.scheme) > 1:  # a Windows drive letter is not a scheme
            raise LifecycleError(
                f"artifact store {url!r}: scheme {parsed.scheme!r} is not supported; "
                "use a local folder, file:///folder or s3://bucket/prefix"
            )
        return LocalArtifactStore(url)

    def _key(self, model: str, version: str, name: str) -> str:
        for part, what in ((model, "model"), (version, "version"), (name, "file name")):
            if not part or "/" in part or part in (".", ".."):
                raise LifecycleError(f"artifact store {self.url}: bad {what} {part!r} for an artifact path")
        return f"{model}/{version}/{name}"

    def put(self, model: str, version: str, local_path: Path) -> str:
        """Copy ``local_path`` in as the artifact of ``model`` ``version``; return its URI."""
        raise NotImplementedError

    def get(self, uri: str, dest: Path) -> Path:
        """Copy the artifact at ``uri`` to ``dest`` (a file, or a folder to copy into); return the path."""
        raise NotImplementedError

    def exists(self, uri: str) -> bool:
        """Return whether an artifact is stored at ``uri``."""
        raise NotImplementedError


def _target(uri: str, dest: Path) -> Path:
    dest = Path(dest)
    if dest.is_dir():
        dest = dest / uri.rstrip("/").rsplit("/", 1)[-1]
    dest.parent.mkdir(parents=True, exist_ok=True)
    return dest


class LocalArtifactStore(ArtifactStore):
    """Artifacts in a local (or mounted) folder."""

    def _path(self, uri: str) -> Path:
        path = Path(urlsplit(uri).path if uri.startswith("file://") else uri).resolve()
        if not path.is_relative_to(Path(self.url).resolve()):
            raise LifecycleError(f"artifact {uri!r} is not in the artifact store {self.url}")
        return path

    def put(self, model: str, version: str, local_path: Path) -> str:
        local_path = Path(local_path)
        if not local_path.is_file():
            raise LifecycleError(
                f"model {model!r} version {version!r}: artifact file {local_path} does not exist"
            )
        target = Path(self.url) / self._key(model, version, local_path.name)
        try:
            target.parent.mkdir(parents=True, exist_ok=True)
            partial = target.with_name(target.name + ".partial")
            shutil.copyfile(local_path, partial)
            partial.replace(target)  # a reader never sees half a file
        except OSError as exc:
            raise LifecycleError(
                f"model {model!r} version {version!r}: cannot write the artifact to {target}: "
                f"{exc.strerror or exc}; check the folder (STEWARD_ARTIFACTS or the registry's artifacts key)"
            ) from exc
        return str(target.resolve())

    def get(self, uri: str, dest: Path) -> Path:
        source = self._path(uri)
        if not source.is_file():
            raise LifecycleError(f"artifact {uri!r} does not exist in the artifact store {self.url}")
        target = _target(uri, dest)
        shutil.copyfile(source, target)
        return target

    def exists(self, uri: str) -> bool:
        return self._path(uri).is_file()


class S3ArtifactStore(ArtifactStore):
    """Artifacts in ``s3://bucket/prefix`` through boto3 (credentials from the usual AWS chain)."""

    def __init__(self, url: str) -> None:
        super().__init__(url)
        parts = urlsplit(self.url)
        self.bucket = parts.netloc
        self.prefix = parts.path.strip("/")
        self._client: Any = None

    def client(self) -> Any:
        """Return the boto3 S3 client (created on first use; ``AWS_ENDPOINT_URL_S3`` is honoured)."""
        if self._client is None:
            import boto3
            from botocore.config import Config

            # a store that does not answer fails in seconds, not after minutes of retries
            config = Config(
                connect_timeout=10, read_timeout=60, retries={"max_attempts": 3, "mode": "standard"}
            )
            self._client = boto3.client("s3", config=config)
        return self._client

    def _split(self, uri: str) -> tuple[str, str]:
        parts = urlsplit(uri)
        if parts.scheme != "s3" or parts.netloc != self.bucket or not parts.path.strip("/"):
            raise LifecycleError(f"artifact {uri!r} is not in the artifact store {self.url}")
        return parts.netloc, parts.path.lstrip("/")

    def _fail(self, doing: str, where: str, exc: Exception) -> LifecycleError:
        return LifecycleError(
            f"artifact store {self.url} is unreachable or refused {doing} {where}: "
            f"{type(exc).__name__}: {exc}; "
            "check the bucket name, the AWS credentials and network access (STEWARD_ARTIFACTS or the "
            "registry's artifacts key)"
        )

    def put(self, model: str, version: str, local_path: Path) -> str:
        local_path = Path(local_path)
        if not local_path.is_file():
            raise LifecycleError(
                f"model {model!r} version {version!r}: artifact file {local_path} does not exist"
            )
        key = "/".join(p for p in (self.prefix, self._key(model, version, local_path.name)) if p)
        try:
            self.client().upload_file(str(local_path), self.bucket, key)
        except Exception as exc:  # botocore's errors share no useful base with boto3's transfer errors
            raise self._fail("writing", f"s3://{self.bucket}/{key}", exc) from exc
        return f"s3://{self.bucket}/{key}"

    def get(self, uri: str, dest: Path) -> Path:
        bucket, key = self._split(uri)
        target = _target(uri, dest)
        try:
            self.client().download_file(bucket, key, str(target))
        except Exception as exc:
            raise self._fail("reading", uri, exc) from exc
        return target

    def exists(self, uri: str) -> bool:
        bucket, key = self._split(uri)
        from botocore.exceptions import ClientError

        try:
            self.client().head_object(Bucket=bucket, Key=key)
        except ClientError as exc:
            if exc.response.get("Error", {}).get("Code") in ("404", "NoSuchKey", "NotFound"):
                return False
            raise self._fail("reading", uri, exc) from exc
        except Exception as exc:
            raise self._fail("reading", uri, exc) from exc
        return True
