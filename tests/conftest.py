"""Test configuration: pytest's own ``pytester`` fixture, for the plugin's tests.

Everything a user needs to reuse a contract lives in the :mod:`spec` package;
the project's Hypothesis profiles are registered by its pytest plugin
(``spec._cli.plugin``), which pytest loads whenever the package is installed.
"""

pytest_plugins = ("pytester",)
