# The folder sits at the top of the checkout but installs as stackgraph.schema (see pyproject.toml):
# imported by its bare name it would be a second copy of every module, so that name is refused.
if __name__ != "stackgraph.schema":
    raise ImportError(f"import stackgraph.schema, not {__name__}")
