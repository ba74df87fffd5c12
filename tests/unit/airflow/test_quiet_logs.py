"""Task logs without noise: the plugins folder is filtered with regular expressions, not deprecated globs."""

from __future__ import annotations

import warnings
from pathlib import Path

import pytest

from steward import paths
from steward.airflow.local import airflow_env


def test_the_local_setup_uses_regexp_ignore_files() -> None:
    env = airflow_env()
    assert env["AIRFLOW__CORE__DAG_IGNORE_FILE_SYNTAX"] == "regexp"


@pytest.mark.parametrize("syntax", ["regexp", "glob"])
def test_the_plugins_folder_yields_only_the_ui_plugin_under_either_syntax(syntax: str) -> None:
    # Airflow imports every .py it finds in plugins/: the package (its __main__ runs the CLI!) must be
    # skipped whatever syntax a deployment's Airflow uses; the regexp one also warns nothing
    from airflow._shared.module_loading.file_discovery import find_path_from_directory

    plugins = paths.project_dir() / "plugins"
    with warnings.catch_warnings():
        if syntax == "regexp":
            warnings.simplefilter("error")  # GitWildMatchPattern's DeprecationWarning would raise here
        else:
            warnings.simplefilter("ignore", DeprecationWarning)
        found = {
            str(Path(f).relative_to(plugins))
            for f in find_path_from_directory(plugins, ".airflowignore", syntax)
        }
    assert "steward_ui.py" in found
    assert not any(f.startswith("steward/") for f in found), sorted(found)[:5]
