# scorehost: the tutorial's score.py and model behind scorehost, self-contained (no mounts needed).
# CI builds FROM a local debootstrap image (--build-arg BASE_IMAGE=...); users get python:3.11-slim.
ARG BASE_IMAGE=python:3.11-slim

# The server alone (scorehost/app): the runtime venv holds nothing of the tutorial or deploy tools.
FROM ${BASE_IMAGE} AS build
# Extras beside the server, e.g. --build-arg EXTRAS=telemetry (Application Insights, OTLP).
ARG EXTRAS=""
ENV PIP_NO_CACHE_DIR=1 PIP_DISABLE_PIP_VERSION_CHECK=1 PYTHONDONTWRITEBYTECODE=1
WORKDIR /src
# Every version the image installs is pinned by the lock (make lock writes it from pyproject.toml).
COPY pyproject.toml README.md LICENSE docker/constraints.txt ./
COPY scorehost/__init__.py scorehost/py.typed ./scorehost/
COPY scorehost/app ./scorehost/app
COPY scorehost/examples/mnist/requirements.txt ./mnist-requirements.txt
# Where a proxy intercepts TLS, docker/pip-ca/ca.pem is its CA bundle for pip (make image
# PIP_CA_BUNDLE=... puts it there). Only this stage and the train stage read it, and neither is
# shipped: the runtime stage copies the venv alone. No BuildKit feature is used, so the classic
# builder and Compose v1 build this file too.
COPY docker/pip-ca/ /tmp/pip-ca/
# A venv works on python:3.11-slim (/usr/local/bin/python3) and Debian's /usr/bin/python3 alike.
RUN if [ -s /tmp/pip-ca/ca.pem ]; then export PIP_CERT=/tmp/pip-ca/ca.pem; fi \
    && python3 -m venv /opt/venv \
    && /opt/venv/bin/pip install -c constraints.txt ".${EXTRAS:+[$EXTRAS]}" \
    && /opt/venv/bin/python -m scorehost.app.server_lock > /opt/venv/scorehost-constraints.txt \
    && /opt/venv/bin/pip install -c constraints.txt -r mnist-requirements.txt
# ^ the versions the server runs on, written before the tutorial model's own libraries go in:
# `scorehost build` installs a user's requirements under them, and may move the model's.

# Train with the tutorial's tools and the runtime's scikit-learn/numpy/joblib versions (the same
# lock), so the pickle loads without version warnings; none of this stage is shipped.
FROM ${BASE_IMAGE} AS train
ENV PIP_NO_CACHE_DIR=1 PIP_DISABLE_PIP_VERSION_CHECK=1 PYTHONDONTWRITEBYTECODE=1
WORKDIR /src
COPY pyproject.toml README.md LICENSE docker/constraints.txt ./
COPY scorehost/__init__.py ./scorehost/
COPY scorehost/app ./scorehost/app
COPY scorehost/tutorial ./scorehost/tutorial
COPY scorehost/client ./scorehost/client
COPY docker/pip-ca/ /tmp/pip-ca/
RUN if [ -s /tmp/pip-ca/ca.pem ]; then export PIP_CERT=/tmp/pip-ca/ca.pem; fi \
    && python3 -m venv /opt/train \
    && /opt/train/bin/pip install -c constraints.txt ".[train]"
RUN /opt/train/bin/scorehost train --out /model

FROM ${BASE_IMAGE} AS runtime
# runit: Azure ML v1 starts images with `runsvdir /var/runit` (docs/docker.md).
# No apt cache or package lists stay behind, whatever the base keeps (python:3.11-slim cleans
# its own; a debootstrap base does not).
RUN if ! command -v runsvdir >/dev/null; then \
        apt-get update && apt-get install -y --no-install-recommends runit; \
    fi \
    && apt-get clean && rm -rf /var/lib/apt/lists/* /var/cache/apt/*.bin \
    && useradd --system --uid 10001 --gid 0 --home-dir /opt/scorehost --no-create-home scorehost
COPY --from=build /opt/venv /opt/venv
COPY --from=train /model /opt/scorehost/model
COPY scorehost/examples/mnist/score.py /opt/scorehost/score.py
COPY docker/runit/scorehost /var/runit/scorehost
# runsv writes its state under the service folder: give it to the runtime user (and group 0,
# so an arbitrary --user UID in group root works too).
RUN mkdir -p /var/runit/scorehost/supervise \
    && chown -R 10001:0 /var/runit && chmod -R g=u /var/runit
ENV PATH=/opt/venv/bin:$PATH \
    PYTHONUNBUFFERED=1 \
    SCOREHOST_HOST=0.0.0.0 \
    SCOREHOST_PORT=5001 \
    AZUREML_ENTRY_SCRIPT=/opt/scorehost/score.py \
    AML_APP_ROOT=/var/azureml-app \
    AZUREML_MODEL_DIR=/opt/scorehost/model \
    SCOREHOST_PROBE_FILE=/tmp/scorehost.probe
WORKDIR /opt/scorehost
USER 10001
EXPOSE 5001
# serve writes its health URL to SCOREHOST_PROBE_FILE; this probe reads it with the standard
# library alone (no server imports: milliseconds and a few MB, every 10 s).
HEALTHCHECK --interval=10s --timeout=5s --start-period=30s --retries=3 \
    CMD ["python", "-m", "scorehost.app.probe", "/tmp/scorehost.probe"]
CMD ["scorehost", "serve"]
