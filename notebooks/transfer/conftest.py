# The transfer services' own tests run inside their image builds (a build stage), with the
# interpreter and files the image ships; the repository's pytest run (testpaths: notebooks)
# must not collect them on the host. tests/live/test_transfer.py builds and checks them.
collect_ignore_glob = ["*/tests/*"]
