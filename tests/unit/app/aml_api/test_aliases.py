"""Both of Azure ML's import paths give scorehost's classes, and leave azureml-core alone."""

import importlib

from scorehost.app.aml_api import aliases, aml_request, aml_response


def test_both_import_paths_give_the_same_classes() -> None:
    aliases.install()
    for package in ("azureml.contrib.services", "azureml_inference_server_http.api"):
        request = importlib.import_module(f"{package}.aml_request")
        response = importlib.import_module(f"{package}.aml_response")
        assert request.AMLRequest is aml_request.AMLRequest
        assert request.rawhttp is aml_request.rawhttp
        assert response.AMLResponse is aml_response.AMLResponse


def test_a_real_azureml_namespace_still_imports() -> None:
    aliases.install()
    core = importlib.import_module("azureml.core")  # azureml-core, installed for deploy/
    assert "site-packages" in str(core.__file__)


def test_installing_twice_adds_one_finder() -> None:
    import sys

    aliases.install()
    aliases.install()
    assert sum(isinstance(f, aliases.AzureMLAliasFinder) for f in sys.meta_path) == 1
