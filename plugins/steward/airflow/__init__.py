"""The only modules of Steward that import Airflow.

- :mod:`steward.airflow.assets`: every Asset and AssetAlias, defined once.
- :mod:`steward.airflow.context`: partition dates, warehouse connection and run ids from a task's context.
- :mod:`steward.airflow.data_quality`: the tasks of ``dags/data_quality.py``.
- :mod:`steward.airflow.local`: environment for running Airflow on one machine (demo, UI).
- :mod:`steward.airflow.demo`: ``steward demo``: runs the DAGs through Airflow over the demo days.
- :mod:`steward.airflow.scheduler`: Airflow's scheduler, dag-processor, api-server and triggerer as
  child processes over past days (backfills, asset-triggered runs), stopped cleanly.
"""
