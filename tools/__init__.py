"""Build and test tooling of the site: the page executor, MkDocs hooks, notebooks, checks."""
