"""The only modules of Steward that import Airflow.

Modules
-------
``_guard``
    Run one Airflow component so that it never outlives the process that started it (Linux).
``alerts``
    Telling someone when a night is late or failed: a webhook (and e-mail) notifier for Steward's DAGs.
``assets``
    Every Asset and AssetAlias of Steward, defined once (always with ``name=``).
``carbon``
    Tasks of the nightly carbon DAG (``dags/carbon.py``).
``connections``
    Airflow connections, read in one place: the warehouse's, and cloud credentials for costs and carbon.
``context``
    Partition dates, the warehouse connection and run ids from a task's Airflow context.
``costs``
    Tasks of the nightly cloud-cost DAG (``dags/cloud_costs.py``).
``data_quality``
    Tasks of the nightly data-quality DAG (``dags/data_quality.py``).
``demo``
    ``steward demo``: runs the DAGs through Airflow over the demo company's nights.
``governance``
    Tasks of the governance DAGs (``dags/governance_nightly.py``, ``dags/data_export.py``).
``lifecycle``
    The task of the manual model-lifecycle DAG (``dags/model_lifecycle.py``): rollback or decommission.
``local``
    Environment for running Airflow on one machine against this project (demo, tests, UI).
``monitoring``
    Tasks of the model-monitoring DAG (``dags/model_monitoring.py``).
``notes``
    Run notes: each finished run of Steward's DAGs says, in Airflow's UI, what its night found.
``openlineage``
    Steward as a small Airflow provider: its ``steward://`` asset URIs become OpenLineage datasets.
``pools``
    The Airflow pool through which Steward's warehouse tasks queue when the warehouse is one DuckDB file.
``retention``
    Tasks of the governance-records DAGs (``dags/retention.py``, ``dags/esg_extract.py``).
``retraining``
    Tasks of the ``model_retraining`` DAG (``dags/model_retraining.py``).
``retraining_trigger``
    Tasks of the retraining trigger DAG (``dags/retraining_trigger.py``).
``roi_review``
    Tasks of the ROI review DAG (``dags/roi_review.py``).
``scheduler``
    Airflow's scheduler, dag-processor, api-server and triggerer as child processes over past days (backfills,
    asset-triggered runs), stopped cleanly.
``ui``
    Steward in the Airflow UI: the Governance page and the HTML reports, behind Airflow's login.
"""
