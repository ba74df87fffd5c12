"""Task logs without noise: the plugins folder is filtered with regular expressions, not deprecated globs."""

from __future__ import annotations

import warnings
from pathlib import Path

from steward import paths
from steward.airflow.local import airflow_env


def test_the_local_setup_uses_regexp_ignore_files() -> None:
    env = airflow_env()
    assert env["AIRFLOW__CORE__DAG_IGNORE_FILE_SYNTAX"] == "regexp"


def test_the_plugins_folder_yields_only_the_ui_plugin_and_warns_nothing() -> None:
    from airflow._shared.module_loading.file_discovery import find_path_from_directory

    plugins = paths.project_dir() / "plugins"
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # GitWildMatchPattern's DeprecationWarning would raise here
        found = {
            str(Path(f).relative_to(plugins))
            for f in find_path_from_directory(plugins, ".airflowignore", "regexp")
        }
    assert "steward_ui.py" in found
    assert not any(f.startswith("steward/") for f in found), sorted(found)[:5]
