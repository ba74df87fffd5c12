# Steward's Airflow image for docker-compose.yaml: the official Airflow image plus Steward's pinned
# requirements. The tag's Airflow version equals the apache-airflow pin in requirements.txt and its Python
# the one the lock was compiled for (tests/deploy/test_dockerfile.py checks both).
FROM apache/airflow:3.3.2-python3.11

# The official way to add dependencies (https://airflow.apache.org/docs/docker-stack/build.html): install
# as the airflow user, naming apache-airflow at the image's version so that pip never swaps Airflow out.
USER airflow
COPY --chown=airflow:root requirements.txt /opt/steward/requirements.txt
RUN pip install --no-cache-dir "apache-airflow==${AIRFLOW_VERSION}" -r /opt/steward/requirements.txt

# Steward itself: the package (plugins/steward), the DAGs and include/ (registry, SQL, GX suites). The
# compose file mounts the same folders over these copies, so edits show without a rebuild; the copies
# make the image complete on its own (Kubernetes, a registry).
COPY --chown=airflow:root dags/ /opt/airflow/dags/
COPY --chown=airflow:root plugins/ /opt/airflow/plugins/
COPY --chown=airflow:root include/ /opt/airflow/include/
ENV PYTHONPATH=/opt/airflow/plugins \
    STEWARD_PROJECT_DIR=/opt/airflow \
    STEWARD_HOME=/opt/airflow/steward \
    GX_ANALYTICS_ENABLED=false
