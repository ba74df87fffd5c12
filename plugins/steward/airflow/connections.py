"""Airflow connections, read in one place: the warehouse's, and cloud credentials for costs and carbon.

:func:`get_connection` looks a connection up (a missing one is one line naming what needs it and the
fix); :func:`warehouse_url_of` turns the ``steward_warehouse`` connection into the warehouse URL
(:func:`steward.warehouse.url_from_connection`, which also reads ``AIRFLOW_CONN_STEWARD_WAREHOUSE``
outside Airflow).

Steward does not depend on the Amazon and Google Airflow providers, so their connections' documented
extras are mapped here, in one place: each one listed below is honoured, and any other one is named in
a warning, never silently dropped:

AWS (``aws`` connections, e.g. ``aws_default``)
    ``login``/``password`` or the extras ``aws_access_key_id``/``aws_secret_access_key``, plus
    ``aws_session_token``; ``profile_name`` (a profile of the worker's AWS config); ``role_arn`` with
    ``assume_role_kwargs`` (``ExternalId``, ``RoleSessionName``, ``DurationSeconds``, ...) through STS
    ``AssumeRole`` (``assume_role_method`` other than ``assume_role`` is refused); ``endpoint_url``
    (a VPC endpoint or a local emulator). ``region_name`` is not used: the registry's region of the
    source is (Cost Explorer answers in ``us-east-1`` only).
Google Cloud (``google_cloud_platform`` connections, e.g. ``google_cloud_default``)
    ``keyfile_dict`` or ``key_path`` (else Application Default Credentials), ``project``, ``scope``
    (comma-separated; default cloud-platform) and ``impersonation_chain`` (a service account, or a
    comma-separated chain / list whose last entry is impersonated through the others).
"""

from __future__ import annotations

import json
import logging
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

__all__ = [
    "WAREHOUSE_CONN_ID",
    "AwsAccess",
    "aws_access",
    "connection_extra",
    "get_connection",
    "google_access",
    "warehouse_url_of",
]

log = logging.getLogger(__name__)

#: Airflow connection holding the warehouse (``AIRFLOW_CONN_STEWARD_WAREHOUSE`` works too).
WAREHOUSE_CONN_ID = "steward_warehouse"

_AWS_EXTRAS = frozenset(
    {
        "aws_access_key_id",
        "aws_secret_access_key",
        "aws_session_token",
        "profile_name",
        "role_arn",
        "assume_role_method",
        "assume_role_kwargs",
        "endpoint_url",
        "region_name",
    }
)
_GOOGLE_EXTRAS = frozenset({"keyfile_dict", "key_path", "project", "scope", "impersonation_chain"})
_CLOUD_PLATFORM = "https://www.googleapis.com/auth/cloud-platform"


def get_connection(conn_id: str, *, what: str, fix: str) -> Any:
    """Return the Airflow connection ``conn_id`` (Task SDK), or raise ``AirflowFailException`` saying so.

    ``what`` names who needs it (``"cost source 'aws' (include/governance.yaml costs.sources)"``) and
    ``fix`` the registry key to change instead of creating the connection.
    """
    from airflow.sdk import Connection
    from airflow.sdk.exceptions import AirflowFailException

    try:
        return Connection.get(conn_id)
    except Exception as exc:  # the lookup raises a different class per secrets backend
        raise AirflowFailException(
            f"{what}: Airflow connection {conn_id!r} is not defined ({type(exc).__name__}): create it "
            f"(Admin > Connections, or AIRFLOW_CONN_{conn_id.upper()}) or {fix}"
        ) from None


def warehouse_url_of(conn: Any) -> str:
    """Return the warehouse URL an Airflow connection (Task SDK or server-side model) describes."""
    from steward.warehouse import url_from_connection

    return url_from_connection(
        conn_type=conn.conn_type,
        host=conn.host,
        port=conn.port,
        login=conn.login,
        password=conn.password,
        schema=conn.schema,
        extra=getattr(conn, "extra", None),
    )


def connection_extra(conn: Any) -> dict[str, Any]:
    """Return a connection's extras as a dict (``extra_dejson``, or the JSON text of ``extra``)."""
    extra = getattr(conn, "extra_dejson", None)
    if isinstance(extra, Mapping):
        return dict(extra)
    raw = getattr(conn, "extra", None)
    return dict(json.loads(raw)) if raw else {}


def _warn_ignored(conn: Any, extras: Mapping[str, Any], honoured: frozenset[str], what: str) -> list[str]:
    ignored = sorted(set(extras) - honoured)
    if ignored:
        log.warning(
            "%s: Airflow connection %r has extras Steward does not use: %s (honoured: %s)",
            what,
            getattr(conn, "conn_id", "?"),
            ", ".join(ignored),
            ", ".join(sorted(honoured)),
        )
    return ignored


@dataclass(frozen=True)
class AwsAccess:
    """A boto3 session for a source, and the keyword arguments every client of it takes."""

    session: Any
    client_kwargs: dict[str, Any] = field(default_factory=dict)
    ignored: tuple[str, ...] = ()

    def client(self, name: str) -> Any:
        """Return a boto3 client of the session (with ``endpoint_url`` when the connection has one)."""
        return self.session.client(name, **self.client_kwargs)


def aws_access(conn: Any, *, region: str, what: str) -> AwsAccess:
    """Return the AWS access an Airflow connection describes (see the module docstring for the extras).

    Parameters
    ----------
    conn
        The Airflow connection (``None``: boto3's default chain).
    region
        The region of the source (from the registry), which every client uses.
    what
        Names the source in messages (``"cost source 'aws_ce'"``).

    Raises
    ------
    ValueError
        An ``assume_role_method`` Steward does not support, or malformed ``assume_role_kwargs``.
    """
    import boto3

    extras = connection_extra(conn) if conn is not None else {}
    ignored = _warn_ignored(conn, extras, _AWS_EXTRAS, what)
    key = getattr(conn, "login", None) or extras.get("aws_access_key_id")
    secret = getattr(conn, "password", None) or extras.get("aws_secret_access_key")
    base: dict[str, Any] = {"region_name": region}
    if key:
        base |= {"aws_access_key_id": key, "aws_secret_access_key": secret}
        if extras.get("aws_session_token"):
            base["aws_session_token"] = extras["aws_session_token"]
    if extras.get("profile_name"):
        base["profile_name"] = extras["profile_name"]
    client_kwargs = {"endpoint_url": extras["endpoint_url"]} if extras.get("endpoint_url") else {}
    session = boto3.session.Session(**base)
    role = extras.get("role_arn")
    if role:
        method = extras.get("assume_role_method") or "assume_role"
        if method != "assume_role":
            raise ValueError(
                f"{what}: Airflow connection {getattr(conn, 'conn_id', '?')!r} asks for assume_role_method "
                f"{method!r}; Steward supports 'assume_role' (STS AssumeRole): use it, or give keys"
            )
        options = extras.get("assume_role_kwargs") or {}
        if isinstance(options, str):
            options = json.loads(options)
        if not isinstance(options, Mapping):
            raise ValueError(f"{what}: assume_role_kwargs must be a JSON object, got {options!r}")
        sts = session.client("sts", **client_kwargs)
        answer = sts.assume_role(
            RoleArn=role, **{"RoleSessionName": "steward", **{str(k): v for k, v in options.items()}}
        )
        creds = answer["Credentials"]
        session = boto3.session.Session(
            aws_access_key_id=creds["AccessKeyId"],
            aws_secret_access_key=creds["SecretAccessKey"],
            aws_session_token=creds["SessionToken"],
            region_name=region,
        )
        log.info("%s: assumed role %s (credentials expire %s)", what, role, creds.get("Expiration"))
    return AwsAccess(session, client_kwargs, tuple(ignored))


def google_access(conn: Any, *, what: str) -> tuple[Any, str | None]:
    """Return ``(credentials or None for Application Default Credentials, project)`` of a Google connection.

    ``impersonation_chain`` wraps the credentials (or the default ones) in impersonated credentials of
    its last service account, through the others as delegates.
    """
    extras = {
        k.removeprefix("extra__google_cloud_platform__"): v
        for k, v in (connection_extra(conn) if conn is not None else {}).items()
    }
    _warn_ignored(conn, extras, _GOOGLE_EXTRAS, what)
    scopes = [s.strip() for s in str(extras.get("scope") or _CLOUD_PLATFORM).split(",") if s.strip()]
    info: dict[str, Any] | None = None
    keyfile = extras.get("keyfile_dict")
    if keyfile:
        info = json.loads(keyfile) if isinstance(keyfile, str) else dict(keyfile)
    elif extras.get("key_path"):
        with open(str(extras["key_path"]), encoding="utf-8") as fh:
            info = json.load(fh)
    project = extras.get("project") or (info or {}).get("project_id")
    credentials: Any = None
    if info is not None:
        from google.oauth2 import service_account

        credentials = service_account.Credentials.from_service_account_info(info, scopes=scopes)
    chain = extras.get("impersonation_chain")
    if chain:
        from google.auth import impersonated_credentials

        accounts = [a.strip() for a in chain.split(",")] if isinstance(chain, str) else list(map(str, chain))
        if credentials is None:
            import google.auth

            credentials, default_project = google.auth.default(scopes=scopes)
            project = project or default_project
        credentials = impersonated_credentials.Credentials(
            source_credentials=credentials,
            target_principal=accounts[-1],
            delegates=accounts[:-1],
            target_scopes=scopes,
        )
    return credentials, project
